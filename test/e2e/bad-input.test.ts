import { beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../support/api-client.js';
import { useTestApp } from '../support/test-app.js';

// Bad input on every write route gets the right 4xx, a stable code, a message and the failing
// field paths, and never appends an event (docs/architecture.md "Errors").
const { t, api } = useTestApp();
let alice: User;
let bob: User;
let alicePost: string;
let aliceStory: string;
let aliceComment: string;
let aliceCollection: string;
const UNKNOWN = '0190a0a0-0000-7000-8000-000000000000';
const image = { url: 'https://cdn.example.com/a.jpg', type: 'image' };

beforeAll(async () => {
  alice = await api.register('alice');
  bob = await api.register('bob');
  alicePost = await api.createPost(alice);
  aliceStory = (await api.call('POST', '/api/v1/stories', { token: alice.token, body: { media: image } })).body.storyId;
  aliceComment = (await api.call('POST', `/api/v1/posts/${alicePost}/comments`, { token: alice.token, body: { text: 'mine' } })).body.commentId;
  aliceCollection = (await api.call('POST', '/api/v1/collections', { token: alice.token, body: { name: 'Mine' } })).body.collectionId;
  await api.call('POST', `/api/v1/collections/${aliceCollection}/posts/${alicePost}`, { token: alice.token });
});

type Method = 'POST' | 'PUT' | 'DELETE';
interface BadCase {
  name: string;
  method: Method;
  url: () => string;
  as?: () => User;
  body?: unknown;
  status: number;
  code: string;
  paths?: string[];
}

const hashtags = (n: number) => Array.from({ length: n }, (_, i) => `#tag${i}`).join(' ');
const mentions = (n: number) => Array.from({ length: n }, (_, i) => `@user${i}`).join(' ');

const cases: BadCase[] = [
  // accounts
  { name: 'register without a body', method: 'POST', url: () => '/api/v1/users/register', status: 400, code: 'VALIDATION_FAILED', paths: [''] },
  { name: 'register missing fields', method: 'POST', url: () => '/api/v1/users/register', body: { username: 'x' }, status: 400, code: 'VALIDATION_FAILED', paths: ['email', 'password'] },
  { name: 'register with wrong types', method: 'POST', url: () => '/api/v1/users/register', body: { username: 42, email: 'a@b.co', password: true }, status: 400, code: 'VALIDATION_FAILED', paths: ['username', 'password'] },
  { name: 'register a username with spaces', method: 'POST', url: () => '/api/v1/users/register', body: { username: 'no spaces', email: 'a@b.co', password: 'long enough' }, status: 400, code: 'VALIDATION_FAILED', paths: ['username'] },
  { name: 'register the reserved name me', method: 'POST', url: () => '/api/v1/users/register', body: { username: 'Me', email: 'me@b.co', password: 'long enough' }, status: 400, code: 'USERNAME_RESERVED', paths: ['username'] },
  { name: 'register a bad email and short password', method: 'POST', url: () => '/api/v1/users/register', body: { username: 'zed', email: 'nope', password: 'short' }, status: 400, code: 'VALIDATION_FAILED', paths: ['email', 'password'] },
  { name: 'register with an unknown field', method: 'POST', url: () => '/api/v1/users/register', body: { username: 'zed', email: 'z@b.co', password: 'long enough', admin: true }, status: 400, code: 'VALIDATION_FAILED', paths: [''] },
  { name: 'login without password', method: 'POST', url: () => '/api/v1/users/login', body: { username: 'alice' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'password change without the current password', method: 'PUT', url: () => '/api/v1/auth/password', body: { newPassword: 'long enough' }, status: 400, code: 'VALIDATION_FAILED', paths: ['currentPassword'] },
  { name: 'password change to a short password', method: 'PUT', url: () => '/api/v1/auth/password', body: { currentPassword: 'correct horse battery', newPassword: 'short' }, status: 400, code: 'VALIDATION_FAILED', paths: ['newPassword'] },
  { name: 'password change with the wrong current password', method: 'PUT', url: () => '/api/v1/auth/password', body: { currentPassword: 'not the password', newPassword: 'long enough' }, status: 403, code: 'WRONG_PASSWORD' },
  { name: 'password reset without an email', method: 'POST', url: () => '/api/v1/auth/password-reset', body: {}, status: 400, code: 'VALIDATION_FAILED', paths: ['email'] },
  { name: 'password reset with an unknown field', method: 'POST', url: () => '/api/v1/auth/password-reset', body: { email: 'a@b.co', admin: true }, status: 400, code: 'VALIDATION_FAILED', paths: [''] },
  { name: 'reset confirm with a wrong type and a short password', method: 'POST', url: () => '/api/v1/auth/password-reset/confirm', body: { token: 7, newPassword: 'short' }, status: 400, code: 'VALIDATION_FAILED', paths: ['newPassword', 'token'] },
  { name: 'reset confirm with a token never issued', method: 'POST', url: () => '/api/v1/auth/password-reset/confirm', body: { token: 'never-issued', newPassword: 'long enough' }, status: 400, code: 'ACCOUNT_TOKEN_INVALID', paths: ['token'] },
  { name: 'email verification without a token', method: 'POST', url: () => '/api/v1/auth/verify-email', body: {}, status: 400, code: 'VALIDATION_FAILED', paths: ['token'] },
  { name: 'email verification with a token never issued', method: 'POST', url: () => '/api/v1/auth/verify-email', body: { token: 'never-issued' }, status: 400, code: 'ACCOUNT_TOKEN_INVALID', paths: ['token'] },
  { name: 'profile update with nothing to change', method: 'PUT', url: () => '/api/v1/users/alice', body: {}, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'profile update with wrong types', method: 'PUT', url: () => '/api/v1/users/alice', body: { private: 'yes', bio: 7 }, status: 400, code: 'VALIDATION_FAILED', paths: ['bio', 'private'] },
  { name: 'profile bio over 150 characters', method: 'PUT', url: () => '/api/v1/users/alice', body: { bio: 'x'.repeat(151) }, status: 400, code: 'VALIDATION_FAILED', paths: ['bio'] },
  { name: "another user's profile", method: 'PUT', url: () => '/api/v1/users/alice', as: () => bob, body: { bio: 'x' }, status: 403, code: 'NOT_OWNER' },
  { name: 'avatar without a mediaId', method: 'PUT', url: () => '/api/v1/users/alice/avatar', body: {}, status: 400, code: 'VALIDATION_FAILED', paths: ['mediaId'] },
  { name: 'avatar with a mediaId that is not a uuid', method: 'PUT', url: () => '/api/v1/users/alice/avatar', body: { mediaId: 'nope' }, status: 400, code: 'VALIDATION_FAILED', paths: ['mediaId'] },
  { name: 'avatar of unknown media', method: 'PUT', url: () => '/api/v1/users/alice/avatar', body: { mediaId: UNKNOWN }, status: 404, code: 'MEDIA_NOT_FOUND' },
  { name: "another user's avatar", method: 'PUT', url: () => '/api/v1/users/alice/avatar', as: () => bob, body: { mediaId: UNKNOWN }, status: 403, code: 'NOT_OWNER' },
  { name: "removing another user's avatar", method: 'DELETE', url: () => '/api/v1/users/alice/avatar', as: () => bob, status: 403, code: 'NOT_OWNER' },
  // graph
  { name: 'follow an invalid username', method: 'POST', url: () => '/api/v1/users/bad%20name/follow', status: 400, code: 'VALIDATION_FAILED', paths: ['username'] },
  { name: 'follow an unknown user', method: 'POST', url: () => '/api/v1/users/ghost/follow', status: 404, code: 'USER_NOT_FOUND' },
  { name: 'unfollow an unknown user', method: 'DELETE', url: () => '/api/v1/users/ghost/follow', status: 404, code: 'USER_NOT_FOUND' },
  { name: 'approve a request that does not exist', method: 'POST', url: () => '/api/v1/follow-requests/bob/approve', status: 404, code: 'FOLLOW_REQUEST_NOT_FOUND' },
  { name: 'reject a request of an unknown user', method: 'POST', url: () => '/api/v1/follow-requests/ghost/reject', status: 404, code: 'USER_NOT_FOUND' },
  { name: 'block yourself', method: 'POST', url: () => '/api/v1/users/alice/block', status: 422, code: 'CANNOT_BLOCK_SELF' },
  { name: 'block an unknown user', method: 'POST', url: () => '/api/v1/users/ghost/block', status: 404, code: 'USER_NOT_FOUND' },
  { name: 'mute yourself', method: 'POST', url: () => '/api/v1/users/alice/mute', status: 422, code: 'CANNOT_MUTE_SELF' },
  { name: 'mute an unknown user', method: 'POST', url: () => '/api/v1/users/ghost/mute', status: 404, code: 'USER_NOT_FOUND' },
  { name: 'mute an invalid username', method: 'POST', url: () => '/api/v1/users/bad%20name/mute', status: 400, code: 'VALIDATION_FAILED', paths: ['username'] },
  { name: 'unmute an unknown user', method: 'DELETE', url: () => '/api/v1/users/ghost/mute', status: 404, code: 'USER_NOT_FOUND' },
  { name: 'follow a hashtag with a dash', method: 'POST', url: () => '/api/v1/hashtags/dash-tag/follow', status: 400, code: 'VALIDATION_FAILED', paths: ['tag'] },
  { name: 'follow a bare #', method: 'POST', url: () => '/api/v1/hashtags/%23/follow', status: 400, code: 'VALIDATION_FAILED', paths: ['tag'] },
  // Past Fastify's default maxParamLength of 100, judged by the route's schema (kernel/limits.ts PATH_PARAM_MAX_LENGTH).
  { name: 'follow a hashtag of 101 letters', method: 'POST', url: () => `/api/v1/hashtags/${'t'.repeat(101)}/follow`, status: 400, code: 'VALIDATION_FAILED', paths: ['tag'] },
  { name: 'unfollow a hashtag with a space', method: 'DELETE', url: () => '/api/v1/hashtags/two%20words/follow', status: 400, code: 'VALIDATION_FAILED', paths: ['tag'] },
  { name: 'unmute a username too long', method: 'DELETE', url: () => `/api/v1/users/${'a'.repeat(31)}/mute`, status: 400, code: 'VALIDATION_FAILED', paths: ['username'] },
  // posts
  { name: 'post without media', method: 'POST', url: () => '/api/v1/posts', body: { caption: 'x' }, status: 400, code: 'VALIDATION_FAILED', paths: ['media'] },
  { name: 'post with 11 media items', method: 'POST', url: () => '/api/v1/posts', body: { caption: 'x', media: Array(11).fill(image) }, status: 400, code: 'VALIDATION_FAILED', paths: ['media'] },
  { name: 'post with a media item of a wrong type', method: 'POST', url: () => '/api/v1/posts', body: { media: [{ url: 'https://a.b/c', type: 'gif' }] }, status: 400, code: 'VALIDATION_FAILED', paths: ['media.0.type'] },
  { name: 'post with unknown media', method: 'POST', url: () => '/api/v1/posts', body: { media: [{ mediaId: UNKNOWN }] }, status: 404, code: 'MEDIA_NOT_FOUND' },
  { name: 'post with a mediaId that is not a uuid', method: 'POST', url: () => '/api/v1/posts', body: { media: [{ mediaId: 'x' }] }, status: 400, code: 'VALIDATION_FAILED', paths: ['media.0.mediaId'] },
  { name: 'post with a mediaId and a url at once', method: 'POST', url: () => '/api/v1/posts', body: { media: [{ mediaId: UNKNOWN, url: 'https://cdn.example.com/a.jpg' }] }, status: 400, code: 'VALIDATION_FAILED', paths: ['media.0.url'] },
  { name: 'post with an external url but no type', method: 'POST', url: () => '/api/v1/posts', body: { media: [{ url: 'https://cdn.example.com/a.jpg' }] }, status: 400, code: 'VALIDATION_FAILED', paths: ['media.0.type'] },
  { name: 'post with a media url on a host not listed', method: 'POST', url: () => '/api/v1/posts', body: { media: [image, { url: 'https://10.0.0.1/a.jpg', type: 'image' }] }, status: 400, code: 'MEDIA_HOST_NOT_ALLOWED', paths: ['media.1.url'] },
  { name: 'post with a plain-http media url', method: 'POST', url: () => '/api/v1/posts', body: { media: [{ url: 'http://cdn.example.com/a.jpg', type: 'image' }] }, status: 400, code: 'MEDIA_HOST_NOT_ALLOWED', paths: ['media.0.url'] },
  { name: 'post with a non-http media url', method: 'POST', url: () => '/api/v1/posts', body: { media: [{ url: 'javascript:alert(1)', type: 'image' }] }, status: 400, code: 'VALIDATION_FAILED', paths: ['media.0.url'] },
  { name: 'post with a caption that is not a string', method: 'POST', url: () => '/api/v1/posts', body: { caption: ['x'], media: [image] }, status: 400, code: 'VALIDATION_FAILED', paths: ['caption'] },
  { name: 'post with a caption over 2,200 characters', method: 'POST', url: () => '/api/v1/posts', body: { caption: 'x'.repeat(2201), media: [image] }, status: 400, code: 'CAPTION_TOO_LONG', paths: ['caption'] },
  { name: 'post with 31 hashtags', method: 'POST', url: () => '/api/v1/posts', body: { caption: hashtags(31), media: [image] }, status: 400, code: 'TOO_MANY_HASHTAGS', paths: ['caption'] },
  { name: 'post with 21 mentions', method: 'POST', url: () => '/api/v1/posts', body: { caption: mentions(21), media: [image] }, status: 400, code: 'TOO_MANY_MENTIONS', paths: ['caption'] },
  // user tags on a post's items (commands/http/schemas.ts tagInput, domain/post/tags.ts)
  { name: 'tag with x over 1', method: 'POST', url: () => '/api/v1/posts', body: { media: [{ ...image, tags: [{ username: 'bob', x: 1.01, y: 0 }] }] }, status: 400, code: 'VALIDATION_FAILED', paths: ['media.0.tags.0.x'] },
  { name: 'tag with y under 0', method: 'POST', url: () => '/api/v1/posts', body: { media: [{ ...image, tags: [{ username: 'bob', x: 0, y: -1 }] }] }, status: 400, code: 'VALIDATION_FAILED', paths: ['media.0.tags.0.y'] },
  { name: 'tag without a username', method: 'POST', url: () => '/api/v1/posts', body: { media: [{ ...image, tags: [{ x: 0, y: 0 }] }] }, status: 400, code: 'VALIDATION_FAILED', paths: ['media.0.tags.0.username'] },
  { name: 'tag by user id', method: 'POST', url: () => '/api/v1/posts', body: { media: [{ ...image, tags: [{ userId: UNKNOWN, username: 'bob', x: 0, y: 0 }] }] }, status: 400, code: 'VALIDATION_FAILED', paths: ['media.0.tags.0'] },
  { name: '21 tags on an item', method: 'POST', url: () => '/api/v1/posts', body: { media: [{ ...image, tags: Array.from({ length: 21 }, () => ({ username: 'bob', x: 0, y: 0 })) }] }, status: 400, code: 'VALIDATION_FAILED', paths: ['media.0.tags'] },
  { name: '51 tags in a post', method: 'POST', url: () => '/api/v1/posts', body: { media: Array.from({ length: 3 }, () => ({ ...image, tags: Array.from({ length: 17 }, () => ({ username: 'bob', x: 0, y: 0 })) })) }, status: 400, code: 'VALIDATION_FAILED', paths: ['media'] },
  { name: 'tag of an unknown user', method: 'POST', url: () => '/api/v1/posts', body: { media: [image, { ...image, tags: [{ username: 'ghost', x: 0, y: 0 }] }] }, status: 404, code: 'USER_NOT_FOUND', paths: ['media.1.tags.0.username'] },
  { name: 'same user twice on an item', method: 'POST', url: () => '/api/v1/posts', body: { media: [{ ...image, tags: [{ username: 'bob', x: 0, y: 0 }, { username: 'bob', x: 1, y: 1 }] }] }, status: 400, code: 'DUPLICATE_TAG', paths: ['media.0.tags.1.username'] },
  { name: 'a story with tags', method: 'POST', url: () => '/api/v1/stories', body: { media: { ...image, tags: [{ username: 'bob', x: 0, y: 0 }] } }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'untag a bad post id', method: 'DELETE', url: () => '/api/v1/posts/not-a-uuid/tags/me', status: 400, code: 'VALIDATION_FAILED', paths: ['postId'] },
  { name: 'untag an unknown user', method: 'DELETE', url: () => `/api/v1/posts/${alicePost}/tags/ghost`, status: 404, code: 'USER_NOT_FOUND' },
  { name: "untag someone on another's post", method: 'DELETE', url: () => `/api/v1/posts/${alicePost}/tags/alice`, as: () => bob, status: 403, code: 'NOT_AUTHOR' },
  // a post's location (commands/http/schemas.ts placeInput)
  { name: 'post with a location without a name', method: 'POST', url: () => '/api/v1/posts', body: { media: [image], location: { lat: 1, lon: 2 } }, status: 400, code: 'VALIDATION_FAILED', paths: ['location.name'] },
  { name: 'post with a blank location name', method: 'POST', url: () => '/api/v1/posts', body: { media: [image], location: { name: '   ' } }, status: 400, code: 'VALIDATION_FAILED', paths: ['location.name'] },
  { name: 'post with a location name over 100 characters', method: 'POST', url: () => '/api/v1/posts', body: { media: [image], location: { name: 'x'.repeat(101) } }, status: 400, code: 'VALIDATION_FAILED', paths: ['location.name'] },
  { name: 'post with a latitude over 90', method: 'POST', url: () => '/api/v1/posts', body: { media: [image], location: { name: 'Pole', lat: 90.5, lon: 0 } }, status: 400, code: 'VALIDATION_FAILED', paths: ['location.lat'] },
  { name: 'post with a longitude under -180', method: 'POST', url: () => '/api/v1/posts', body: { media: [image], location: { name: 'Edge', lat: 0, lon: -181 } }, status: 400, code: 'VALIDATION_FAILED', paths: ['location.lon'] },
  { name: 'post with a latitude but no longitude', method: 'POST', url: () => '/api/v1/posts', body: { media: [image], location: { name: 'Half', lat: 10 } }, status: 400, code: 'VALIDATION_FAILED', paths: ['location.lon'] },
  { name: 'post with a longitude but no latitude', method: 'POST', url: () => '/api/v1/posts', body: { media: [image], location: { name: 'Half', lon: 10 } }, status: 400, code: 'VALIDATION_FAILED', paths: ['location.lat'] },
  { name: 'post with a latitude that is a string', method: 'POST', url: () => '/api/v1/posts', body: { media: [image], location: { name: 'Here', lat: '1', lon: 2 } }, status: 400, code: 'VALIDATION_FAILED', paths: ['location.lat'] },
  { name: 'post with a location of an unknown field', method: 'POST', url: () => '/api/v1/posts', body: { media: [image], location: { name: 'Here', id: UNKNOWN } }, status: 400, code: 'VALIDATION_FAILED', paths: ['location'] },
  { name: 'post with a location name holding U+0000', method: 'POST', url: () => '/api/v1/posts', body: { media: [image], location: { name: 'a\u0000b' } }, status: 400, code: 'VALIDATION_FAILED', paths: ['location.name'] },
  { name: 'edit with 31 hashtags', method: 'PUT', url: () => `/api/v1/posts/${alicePost}`, body: { caption: hashtags(31) }, status: 400, code: 'TOO_MANY_HASHTAGS', paths: ['caption'] },
  { name: 'edit without caption', method: 'PUT', url: () => `/api/v1/posts/${alicePost}`, body: {}, status: 400, code: 'VALIDATION_FAILED', paths: ['caption'] },
  { name: "edit another user's post", method: 'PUT', url: () => `/api/v1/posts/${alicePost}`, as: () => bob, body: { caption: 'mine now' }, status: 403, code: 'NOT_AUTHOR' },
  { name: "delete another user's post", method: 'DELETE', url: () => `/api/v1/posts/${alicePost}`, as: () => bob, status: 403, code: 'NOT_AUTHOR' },
  { name: 'edit a post id that is not a uuid', method: 'PUT', url: () => '/api/v1/posts/123', body: { caption: 'x' }, status: 400, code: 'VALIDATION_FAILED', paths: ['postId'] },
  { name: 'edit an unknown post', method: 'PUT', url: () => `/api/v1/posts/${UNKNOWN}`, body: { caption: 'x' }, status: 404, code: 'POST_NOT_FOUND' },
  { name: 'delete an unknown post', method: 'DELETE', url: () => `/api/v1/posts/${UNKNOWN}`, status: 404, code: 'POST_NOT_FOUND' },
  { name: 'like an unknown post', method: 'POST', url: () => `/api/v1/posts/${UNKNOWN}/like`, status: 404, code: 'POST_NOT_FOUND' },
  { name: 'like a post id that is not a uuid', method: 'POST', url: () => '/api/v1/posts/abc/like', status: 400, code: 'VALIDATION_FAILED', paths: ['postId'] },
  { name: 'unlike a post id that is not a uuid', method: 'DELETE', url: () => '/api/v1/posts/abc/like', status: 400, code: 'VALIDATION_FAILED', paths: ['postId'] },
  { name: 'comment without text', method: 'POST', url: () => `/api/v1/posts/${alicePost}/comments`, body: {}, status: 400, code: 'VALIDATION_FAILED', paths: ['text'] },
  { name: 'comment of blanks', method: 'POST', url: () => `/api/v1/posts/${alicePost}/comments`, body: { text: '   ' }, status: 400, code: 'COMMENT_EMPTY', paths: ['text'] },
  { name: 'comment over 2,200 characters', method: 'POST', url: () => `/api/v1/posts/${alicePost}/comments`, body: { text: 'y'.repeat(2201) }, status: 400, code: 'COMMENT_TOO_LONG', paths: ['text'] },
  { name: 'comment with a parent that is not a uuid', method: 'POST', url: () => `/api/v1/posts/${alicePost}/comments`, body: { text: 'hi', parentCommentId: 7 }, status: 400, code: 'VALIDATION_FAILED', paths: ['parentCommentId'] },
  { name: 'reply to an unknown comment', method: 'POST', url: () => `/api/v1/posts/${alicePost}/comments`, body: { text: 'hi', parentCommentId: UNKNOWN }, status: 404, code: 'COMMENT_NOT_FOUND' },
  { name: 'comment on an unknown post', method: 'POST', url: () => `/api/v1/posts/${UNKNOWN}/comments`, body: { text: 'hi' }, status: 404, code: 'POST_NOT_FOUND' },
  { name: "delete another user's comment", method: 'DELETE', url: () => `/api/v1/comments/${aliceComment}`, as: () => bob, status: 403, code: 'NOT_ALLOWED' },
  { name: 'delete an unknown comment', method: 'DELETE', url: () => `/api/v1/comments/${UNKNOWN}`, status: 404, code: 'COMMENT_NOT_FOUND' },
  { name: 'bookmark an unknown post', method: 'POST', url: () => `/api/v1/posts/${UNKNOWN}/bookmark`, status: 404, code: 'POST_NOT_FOUND' },
  { name: 'unbookmark a post id that is not a uuid', method: 'DELETE', url: () => '/api/v1/posts/x/bookmark', status: 400, code: 'VALIDATION_FAILED', paths: ['postId'] },
  { name: 'share to somewhere other than a story', method: 'POST', url: () => `/api/v1/posts/${alicePost}/share`, body: { to: 'feed' }, status: 400, code: 'VALIDATION_FAILED', paths: ['to'] },
  { name: 'share without saying where', method: 'POST', url: () => `/api/v1/posts/${alicePost}/share`, body: {}, status: 400, code: 'VALIDATION_FAILED', paths: ['to'] },
  { name: 'share with an unknown field', method: 'POST', url: () => `/api/v1/posts/${alicePost}/share`, body: { to: 'story', media: 'x' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'share an unknown post', method: 'POST', url: () => `/api/v1/posts/${UNKNOWN}/share`, body: { to: 'story' }, status: 404, code: 'POST_NOT_FOUND' },
  { name: 'share a post id that is not a uuid', method: 'POST', url: () => '/api/v1/posts/nope/share', body: { to: 'story' }, status: 400, code: 'VALIDATION_FAILED', paths: ['postId'] },
  // collections (another's answers as none: docs/rules.md "Collections")
  { name: 'collection without a name', method: 'POST', url: () => '/api/v1/collections', body: {}, status: 400, code: 'VALIDATION_FAILED', paths: ['name'] },
  { name: 'collection with a name that is not a string', method: 'POST', url: () => '/api/v1/collections', body: { name: 7 }, status: 400, code: 'VALIDATION_FAILED', paths: ['name'] },
  { name: 'collection with an unknown field', method: 'POST', url: () => '/api/v1/collections', body: { name: 'x', private: true }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'collection with a blank name', method: 'POST', url: () => '/api/v1/collections', body: { name: ' \t ' }, status: 400, code: 'INVALID_COLLECTION_NAME', paths: ['name'] },
  { name: 'collection with a name over 60 characters', method: 'POST', url: () => '/api/v1/collections', body: { name: 'n'.repeat(61) }, status: 400, code: 'INVALID_COLLECTION_NAME', paths: ['name'] },
  { name: 'collection with a name holding U+0000', method: 'POST', url: () => '/api/v1/collections', body: { name: 'a\u0000b' }, status: 400, code: 'VALIDATION_FAILED', paths: ['name'] },
  { name: 'rename to a blank name', method: 'PUT', url: () => `/api/v1/collections/${aliceCollection}`, body: { name: '' }, status: 400, code: 'INVALID_COLLECTION_NAME', paths: ['name'] },
  { name: 'rename an unknown collection', method: 'PUT', url: () => `/api/v1/collections/${UNKNOWN}`, body: { name: 'x' }, status: 404, code: 'COLLECTION_NOT_FOUND' },
  { name: "rename another user's collection", method: 'PUT', url: () => `/api/v1/collections/${aliceCollection}`, as: () => bob, body: { name: 'x' }, status: 404, code: 'COLLECTION_NOT_FOUND' },
  { name: "delete another user's collection", method: 'DELETE', url: () => `/api/v1/collections/${aliceCollection}`, as: () => bob, status: 404, code: 'COLLECTION_NOT_FOUND' },
  { name: 'delete a collection id that is not a uuid', method: 'DELETE', url: () => '/api/v1/collections/nope', status: 400, code: 'VALIDATION_FAILED', paths: ['collectionId'] },
  { name: 'add an unknown post to a collection', method: 'POST', url: () => `/api/v1/collections/${aliceCollection}/posts/${UNKNOWN}`, status: 404, code: 'POST_NOT_FOUND' },
  { name: 'add a post id that is not a uuid', method: 'POST', url: () => `/api/v1/collections/${aliceCollection}/posts/x`, status: 400, code: 'VALIDATION_FAILED', paths: ['postId'] },
  { name: "add to another user's collection", method: 'POST', url: () => `/api/v1/collections/${aliceCollection}/posts/${alicePost}`, as: () => bob, status: 404, code: 'COLLECTION_NOT_FOUND' },
  { name: 'add to an unknown collection', method: 'POST', url: () => `/api/v1/collections/${UNKNOWN}/posts/${alicePost}`, status: 404, code: 'COLLECTION_NOT_FOUND' },
  { name: "remove from another user's collection", method: 'DELETE', url: () => `/api/v1/collections/${aliceCollection}/posts/${alicePost}`, as: () => bob, status: 404, code: 'COLLECTION_NOT_FOUND' },
  // media uploads (the flow's own refusals: test/e2e/media.test.ts)
  { name: 'upload of an unsupported type', method: 'POST', url: () => '/api/v1/media/uploads', body: { filename: 'a.svg', contentType: 'image/svg+xml', size: 10 }, status: 400, code: 'MEDIA_TYPE_UNSUPPORTED', paths: ['contentType'] },
  { name: 'upload of a size over the limit', method: 'POST', url: () => '/api/v1/media/uploads', body: { filename: 'a.jpg', contentType: 'image/jpeg', size: 1e9 }, status: 400, code: 'MEDIA_TOO_LARGE', paths: ['size'] },
  { name: 'upload with an unknown field', method: 'POST', url: () => '/api/v1/media/uploads', body: { filename: 'a.jpg', contentType: 'image/jpeg', size: 10, url: 'https://x' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'complete unknown media', method: 'POST', url: () => `/api/v1/media/${UNKNOWN}/complete`, status: 404, code: 'MEDIA_NOT_FOUND' },
  { name: 'complete a media id that is not a uuid', method: 'POST', url: () => '/api/v1/media/nope/complete', status: 400, code: 'VALIDATION_FAILED', paths: ['mediaId'] },
  // stories
  { name: 'story without media', method: 'POST', url: () => '/api/v1/stories', body: {}, status: 400, code: 'VALIDATION_FAILED', paths: ['media'] },
  { name: 'story with a list of media', method: 'POST', url: () => '/api/v1/stories', body: { media: [image] }, status: 400, code: 'VALIDATION_FAILED', paths: ['media'] },
  { name: 'view an unknown story', method: 'POST', url: () => `/api/v1/stories/${UNKNOWN}/view`, status: 404, code: 'STORY_NOT_FOUND' },
  { name: "delete another user's story", method: 'DELETE', url: () => `/api/v1/stories/${aliceStory}`, as: () => bob, status: 403, code: 'NOT_AUTHOR' },
  { name: 'delete a story id that is not a uuid', method: 'DELETE', url: () => '/api/v1/stories/nope', status: 400, code: 'VALIDATION_FAILED', paths: ['storyId'] },
  // sessions
  { name: 'refresh without a body', method: 'POST', url: () => '/api/v1/auth/refresh', status: 400, code: 'VALIDATION_FAILED', paths: [''] },
  { name: 'refresh with a token that is not a string', method: 'POST', url: () => '/api/v1/auth/refresh', body: { refreshToken: 42 }, status: 400, code: 'VALIDATION_FAILED', paths: ['refreshToken'] },
  { name: 'refresh with an oversized token', method: 'POST', url: () => '/api/v1/auth/refresh', body: { refreshToken: 'x'.repeat(129) }, status: 400, code: 'VALIDATION_FAILED', paths: ['refreshToken'] },
  { name: 'refresh with an unknown field', method: 'POST', url: () => '/api/v1/auth/refresh', body: { refreshToken: 'x', sessionId: UNKNOWN }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'refresh with a token never issued', method: 'POST', url: () => '/api/v1/auth/refresh', body: { refreshToken: 'never-issued' }, status: 401, code: 'INVALID_REFRESH_TOKEN' },
  // two-factor authentication (alice never turns it on)
  { name: '2FA enrolment without the password', method: 'POST', url: () => '/api/v1/auth/2fa/enroll', body: {}, status: 400, code: 'VALIDATION_FAILED', paths: ['password'] },
  { name: '2FA enrolment with the wrong password', method: 'POST', url: () => '/api/v1/auth/2fa/enroll', body: { password: 'not the password' }, status: 403, code: 'WRONG_PASSWORD' },
  { name: '2FA confirmation with five digits', method: 'POST', url: () => '/api/v1/auth/2fa/confirm', body: { code: '12345' }, status: 400, code: 'VALIDATION_FAILED', paths: ['code'] },
  { name: '2FA confirmation before enrolling', method: 'POST', url: () => '/api/v1/auth/2fa/confirm', body: { code: '123456' }, status: 409, code: 'TWO_FACTOR_NOT_ENROLLED' },
  { name: '2FA disabling without a code', method: 'POST', url: () => '/api/v1/auth/2fa/disable', body: { password: 'correct horse battery' }, status: 400, code: 'VALIDATION_FAILED', paths: ['code'] },
  { name: '2FA disabling when it is off', method: 'POST', url: () => '/api/v1/auth/2fa/disable', body: { password: 'correct horse battery', code: '123456' }, status: 409, code: 'TWO_FACTOR_NOT_ENABLED' },
  { name: '2FA login step with an unknown field', method: 'POST', url: () => '/api/v1/auth/login/2fa', body: { challenge: 'c', code: '123456', remember: true }, status: 400, code: 'VALIDATION_FAILED', paths: [''] },
  { name: '2FA login step with a challenge never issued', method: 'POST', url: () => '/api/v1/auth/login/2fa', body: { challenge: 'never-issued', code: '123456' }, status: 401, code: 'INVALID_CREDENTIALS' },
  { name: 'end a session id that is not a uuid', method: 'DELETE', url: () => '/api/v1/auth/sessions/nope', status: 400, code: 'VALIDATION_FAILED', paths: ['sessionId'] },
  { name: "end another user's session", method: 'DELETE', url: () => `/api/v1/auth/sessions/${bob.sessionId}`, status: 404, code: 'SESSION_NOT_FOUND' },
  { name: 'end an unknown session', method: 'DELETE', url: () => `/api/v1/auth/sessions/${UNKNOWN}`, status: 404, code: 'SESSION_NOT_FOUND' },
  // notifications
  { name: 'mark read with a malformed id', method: 'POST', url: () => '/api/v1/notifications/read', body: { ids: ['nope'] }, status: 400, code: 'VALIDATION_FAILED', paths: ['ids.0'] },
  { name: 'mark read up to a time that is not one', method: 'POST', url: () => '/api/v1/notifications/read', body: { upTo: 'yesterday' }, status: 400, code: 'VALIDATION_FAILED', paths: ['upTo'] },
  { name: 'delete an account without a password', method: 'DELETE', url: () => '/api/v1/users/alice', body: {}, status: 400, code: 'VALIDATION_FAILED', paths: ['password'] },
  { name: 'delete an account with a code that is not a string', method: 'DELETE', url: () => '/api/v1/users/alice', body: { password: 'correct horse battery', code: 123456 }, status: 400, code: 'VALIDATION_FAILED', paths: ['code'] },
  { name: "delete another's account", method: 'DELETE', url: () => '/api/v1/users/bob', body: { password: 'correct horse battery' }, status: 403, code: 'NOT_OWNER' },
  { name: 'restore an unknown account', method: 'POST', url: () => '/api/v1/users/nobody.here/restore', status: 404, code: 'USER_NOT_FOUND' },
  { name: 'mark read with an unknown field', method: 'POST', url: () => '/api/v1/notifications/read', body: { everything: true }, status: 400, code: 'VALIDATION_FAILED' },
];

describe('bad input on every write route', () => {
  it.each(cases)('$name -> $status $code, nothing appended', async (c) => {
    const before = (await t.allEvents()).length;
    const response = await api.call(c.method, c.url(), { token: (c.as?.() ?? alice).token, body: c.body });
    expect(response.status).toBe(c.status);
    expect(response.body.error).toMatchObject({ code: c.code, message: expect.any(String), details: expect.any(Array) });
    for (const path of c.paths ?? []) expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect((await t.allEvents()).length).toBe(before);
  });

  it('answers malformed JSON with 400 MALFORMED_BODY and an oversized body with 413', async () => {
    const malformed = await api.call('POST', '/api/v1/posts', { token: alice.token, body: '{"caption": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('MALFORMED_BODY');
    const huge = await api.call('POST', '/api/v1/posts', { token: alice.token, body: { caption: 'x'.repeat(2 * 1024 * 1024), media: [image] } });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers an unknown route with 404 ROUTE_NOT_FOUND', async () => {
    const response = await api.call('POST', '/api/v1/nothing-here', { token: alice.token });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('ROUTE_NOT_FOUND');
  });
});
