import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../commands/accounts/tokens.js';
import type { User } from '../support/api-client.js';
import { operationsOf, routeKey, type Method } from '../support/openapi-arbitraries.js';
import { useTestApp } from '../support/test-app.js';

// Who may call what (docs/architecture.md "Access"; the rule in kernel/access.ts): every route of
// the OpenAPI document, called as each kind of caller against a public and a private owner, with
// the outcome expected of each. A route without a row fails the test, so a new route adds its row.
// Callers: the owner; a follower; a stranger; `blocked` (the owner blocked the caller); `blocker`
// (the caller blocked the owner); anonymous; an expired token of the owner.

const CALLERS = ['owner', 'follower', 'stranger', 'blocked', 'blocker', 'anonymous', 'expired'] as const;
type Caller = (typeof CALLERS)[number];
/** 'ok' (any 2xx), or the status and code of the refusal, e.g. '404 USER_NOT_FOUND'. */
type Outcome = string;
type Outcomes = Record<Caller, Outcome>;

interface World {
  owner: User;
  follower: User;
  stranger: User;
  blocked: User;
  blocker: User;
  postId: string;
  commentId: string;
  storyId: string;
  /** The owner's collection, holding the owner's post. */
  collectionId: string;
}

interface Row {
  /**
   * The request, in the world of one owner. `fresh` rows change that world: they get one of their
   * own, and call the owner last (each other caller acts only on its own tie to the owner).
   */
  url: (w: World) => string;
  body?: (w: World) => unknown;
  fresh?: boolean;
  public: Outcomes;
  private: Outcomes;
  /** Callers not called (the SSE stream stays open for a valid token). */
  skip?: Caller[];
}

const UNKNOWN = '0190a0a0-0000-7000-8000-000000000000';
const image = { url: 'https://cdn.example.com/a.jpg', type: 'image' };
const { t, api } = useTestApp();

// Outcome builders: one per access pattern, in CALLERS order.
const all = (outcome: Outcome): Outcomes => Object.fromEntries(CALLERS.map((c) => [c, outcome])) as Outcomes;
const signedIn = (outcome: Outcome = 'ok'): Outcomes => ({ ...all(outcome), anonymous: '401 UNAUTHORIZED', expired: '401 UNAUTHORIZED' });
const row = (o: Outcome[]): Outcomes => Object.fromEntries(CALLERS.map((c, i) => [c, o[i]])) as Outcomes;
const same = (outcomes: Outcomes) => ({ public: outcomes, private: outcomes });
const N401 = '401 UNAUTHORIZED';

/**
 * Content of the owner: everyone signed in sees it, a block (either way) answers `hidden`, exactly
 * as an unknown id (reads and acts alike: 404 USER_NOT_FOUND, POST_NOT_FOUND, STORY_NOT_FOUND; never
 * 403 BLOCKED), a private account's only to followers.
 */
const seen = (hidden: Outcome, privateCode = '403 PRIVATE_ACCOUNT') => ({
  public: row(['ok', 'ok', 'ok', hidden, hidden, N401, N401]),
  private: row(['ok', 'ok', privateCode, hidden, hidden, N401, N401]),
});
/** The owner's alone: anyone else signed in is refused with `refused` (a block first answers `hidden` where given). */
const ownersOnly = (refused: Outcome, hidden = refused, own: Outcome = 'ok') => same(row([own, refused, refused, hidden, hidden, N401, N401]));

const matrix: Record<string, Row> = {
  'GET /health': { url: () => '/health', ...same(all('ok')) },
  'GET /ready': { url: () => '/ready', ...same(all('ok')) },
  'GET /metrics': { url: () => '/metrics', ...same(all('ok')) },
  'POST /api/v1/users/register': { url: () => '/api/v1/users/register', body: () => newAccount(), ...same(all('ok')) },
  'POST /api/v1/users/login': { url: () => '/api/v1/users/login', body: (w) => ({ username: w.owner.username, password: PASSWORD }), ...same(all('ok')) },
  // Passwords and mailed links: each caller changes its own password (to the same one) or asks for its own link; an unknown token is refused alike for all.
  'PUT /api/v1/auth/password': { url: () => '/api/v1/auth/password', body: () => ({ currentPassword: PASSWORD, newPassword: PASSWORD }), ...same(signedIn()) },
  'POST /api/v1/auth/password-reset': { url: () => '/api/v1/auth/password-reset', body: (w) => ({ email: `${w.owner.username}@example.com` }), ...same(all('ok')) },
  'POST /api/v1/auth/password-reset/confirm': { url: () => '/api/v1/auth/password-reset/confirm', body: () => ({ token: 'never-issued', newPassword: PASSWORD }), ...same(all('400 ACCOUNT_TOKEN_INVALID')) },
  'POST /api/v1/auth/verify-email': { url: () => '/api/v1/auth/verify-email', body: () => ({ token: 'never-issued' }), ...same(all('400 ACCOUNT_TOKEN_INVALID')) },
  'POST /api/v1/auth/verify-email/resend': { url: () => '/api/v1/auth/verify-email/resend', ...same(signedIn()) },
  'GET /api/v1/auth/me': { url: () => '/api/v1/auth/me', ...same(signedIn()) },
  // A refresh is authorized by its refresh token alone (here one never issued), whoever sends it.
  'POST /api/v1/auth/refresh': { url: () => '/api/v1/auth/refresh', body: () => ({ refreshToken: 'never-issued-refresh-token' }), ...same(all('401 INVALID_REFRESH_TOKEN')) },
  'GET /api/v1/auth/sessions': { url: () => '/api/v1/auth/sessions', ...same(signedIn()) },
  // Two-factor authentication is one's own: each caller enrols their own (in a fresh world, so that
  // the shared one never enrols and confirming there is always before enrolling), and the login
  // step is authorized by its challenge alone (here one never issued).
  'POST /api/v1/auth/2fa/enroll': { url: () => '/api/v1/auth/2fa/enroll', body: () => ({ password: PASSWORD }), fresh: true, ...same(signedIn()) },
  'POST /api/v1/auth/2fa/confirm': { url: () => '/api/v1/auth/2fa/confirm', body: () => ({ code: '123456' }), ...same(signedIn('409 TWO_FACTOR_NOT_ENROLLED')) },
  'POST /api/v1/auth/2fa/disable': { url: () => '/api/v1/auth/2fa/disable', body: () => ({ password: PASSWORD, code: '123456' }), ...same(signedIn('409 TWO_FACTOR_NOT_ENABLED')) },
  'POST /api/v1/auth/login/2fa': { url: () => '/api/v1/auth/login/2fa', body: () => ({ challenge: 'never-issued', code: '123456' }), ...same(all('401 INVALID_CREDENTIALS')) },
  // Only one's own session can be ended: the owner's is unknown to everyone else.
  'DELETE /api/v1/auth/sessions/{sessionId}': { url: (w) => `/api/v1/auth/sessions/${w.owner.sessionId}`, fresh: true, ...ownersOnly('404 SESSION_NOT_FOUND') },
  'POST /api/v1/auth/logout': { url: () => '/api/v1/auth/logout', fresh: true, ...same(signedIn()) },
  'POST /api/v1/auth/logout-all': { url: () => '/api/v1/auth/logout-all', fresh: true, ...same(signedIn()) },
  'POST /api/v1/auth/stream-ticket': { url: () => '/api/v1/auth/stream-ticket', ...same(signedIn()) },
  'PUT /api/v1/users/{username}': { url: (w) => `/api/v1/users/${w.owner.username}`, body: () => ({ bio: 'hi' }), ...ownersOnly('403 NOT_OWNER') },
  'GET /api/v1/users/{username}': { url: (w) => `/api/v1/users/${w.owner.username}`, ...seen('404 USER_NOT_FOUND', 'ok') },
  // Deleting and restoring are the owner's alone: another account is NOT_OWNER while it is visible
  // (a hidden one is USER_NOT_FOUND: test/e2e/account-deletion.test.ts); restoring an active account is a no-op.
  'DELETE /api/v1/users/{username}': { url: (w) => `/api/v1/users/${w.owner.username}`, body: () => ({ password: PASSWORD }), fresh: true, ...ownersOnly('403 NOT_OWNER') },
  'POST /api/v1/users/{username}/restore': { url: (w) => `/api/v1/users/${w.owner.username}/restore`, ...ownersOnly('403 NOT_OWNER') },
  'PUT /api/v1/users/{username}/avatar': { url: (w) => `/api/v1/users/${w.owner.username}/avatar`, body: () => ({ mediaId: UNKNOWN }), ...ownersOnly('403 NOT_OWNER', '403 NOT_OWNER', '404 MEDIA_NOT_FOUND') },
  'DELETE /api/v1/users/{username}/avatar': { url: (w) => `/api/v1/users/${w.owner.username}/avatar`, ...ownersOnly('403 NOT_OWNER') },
  'POST /api/v1/users/{username}/follow': { url: (w) => `/api/v1/users/${w.owner.username}/follow`, fresh: true, ...same(row(['422 CANNOT_FOLLOW_SELF', 'ok', 'ok', '404 USER_NOT_FOUND', '404 USER_NOT_FOUND', N401, N401])) },
  'DELETE /api/v1/users/{username}/follow': { url: (w) => `/api/v1/users/${w.owner.username}/follow`, fresh: true, ...same(row(['ok', 'ok', 'ok', 'ok', 'ok', N401, N401])) },
  'POST /api/v1/follow-requests/{username}/approve': { url: (w) => `/api/v1/follow-requests/${w.stranger.username}/approve`, fresh: true, ...requestDecision() },
  'POST /api/v1/follow-requests/{username}/reject': { url: (w) => `/api/v1/follow-requests/${w.stranger.username}/reject`, fresh: true, ...requestDecision() },
  'POST /api/v1/users/{username}/block': { url: (w) => `/api/v1/users/${w.owner.username}/block`, fresh: true, ...same(row(['422 CANNOT_BLOCK_SELF', 'ok', 'ok', 'ok', 'ok', N401, N401])) },
  'DELETE /api/v1/users/{username}/block': { url: (w) => `/api/v1/users/${w.owner.username}/block`, fresh: true, ...same(row(['ok', 'ok', 'ok', 'ok', 'ok', N401, N401])) },
  // A mute behind a block (either way) answers as an unknown account, as a follow does; an unmute needs no facts.
  'POST /api/v1/users/{username}/mute': { url: (w) => `/api/v1/users/${w.owner.username}/mute`, fresh: true, ...same(row(['422 CANNOT_MUTE_SELF', 'ok', 'ok', '404 USER_NOT_FOUND', '404 USER_NOT_FOUND', N401, N401])) },
  'DELETE /api/v1/users/{username}/mute': { url: (w) => `/api/v1/users/${w.owner.username}/mute`, fresh: true, ...same(row(['ok', 'ok', 'ok', 'ok', 'ok', N401, N401])) },
  'POST /api/v1/posts': { url: () => '/api/v1/posts', body: () => ({ caption: 'x', media: [image] }), ...same(signedIn()) },
  'PUT /api/v1/posts/{postId}': { url: (w) => `/api/v1/posts/${w.postId}`, body: () => ({ caption: 'edited' }), ...ownersOnly('403 NOT_AUTHOR') },
  'DELETE /api/v1/posts/{postId}': { url: (w) => `/api/v1/posts/${w.postId}`, fresh: true, ...ownersOnly('403 NOT_AUTHOR') },
  'GET /api/v1/posts/{postId}': { url: (w) => `/api/v1/posts/${w.postId}`, ...seen('404 POST_NOT_FOUND') },
  'POST /api/v1/posts/{postId}/like': { url: (w) => `/api/v1/posts/${w.postId}/like`, ...seen('404 POST_NOT_FOUND') },
  // Undoing a like or a bookmark one does not hold is a no-op, answered ok whoever asks.
  'DELETE /api/v1/posts/{postId}/like': { url: (w) => `/api/v1/posts/${w.postId}/like`, ...seen('ok', 'ok') },
  'POST /api/v1/posts/{postId}/comments': { url: (w) => `/api/v1/posts/${w.postId}/comments`, body: () => ({ text: 'nice' }), ...seen('404 POST_NOT_FOUND') },
  'GET /api/v1/posts/{postId}/comments': { url: (w) => `/api/v1/posts/${w.postId}/comments`, ...seen('404 POST_NOT_FOUND') },
  'DELETE /api/v1/comments/{commentId}': { url: (w) => `/api/v1/comments/${w.commentId}`, fresh: true, ...ownersOnly('403 NOT_ALLOWED') },
  'POST /api/v1/posts/{postId}/bookmark': { url: (w) => `/api/v1/posts/${w.postId}/bookmark`, ...seen('404 POST_NOT_FOUND') },
  'DELETE /api/v1/posts/{postId}/bookmark': { url: (w) => `/api/v1/posts/${w.postId}/bookmark`, ...seen('ok', 'ok') },
  // User tags: taking oneself off a post one is not tagged on is a no-op for anyone (it tells nothing
  // of the post, as an unlike); taking someone else off is the author's alone (here the owner themself,
  // so the owner's call is that same no-op).
  'DELETE /api/v1/posts/{postId}/tags/me': { url: (w) => `/api/v1/posts/${w.postId}/tags/me`, ...same(signedIn()) },
  'DELETE /api/v1/posts/{postId}/tags/{username}': { url: (w) => `/api/v1/posts/${w.postId}/tags/${w.owner.username}`, ...ownersOnly('403 NOT_AUTHOR') },
  // A share: a post one may see, but a private account's by its author only (the story shows it to the sharer's audience).
  'POST /api/v1/posts/{postId}/share': {
    url: (w) => `/api/v1/posts/${w.postId}/share`,
    body: () => ({ to: 'story' }),
    public: row(['ok', 'ok', 'ok', '404 POST_NOT_FOUND', '404 POST_NOT_FOUND', N401, N401]),
    private: row(['ok', '403 POST_NOT_SHAREABLE', '403 PRIVATE_ACCOUNT', '404 POST_NOT_FOUND', '404 POST_NOT_FOUND', N401, N401]),
  },
  // Collections are private to their owner: anyone else is told there is no such collection (never 403), blocked or not.
  'POST /api/v1/collections': { url: () => '/api/v1/collections', body: () => ({ name: 'Saved' }), ...same(signedIn()) },
  'GET /api/v1/collections': { url: () => '/api/v1/collections', ...same(signedIn()) },
  'GET /api/v1/collections/{collectionId}': { url: (w) => `/api/v1/collections/${w.collectionId}`, ...ownersOnly('404 COLLECTION_NOT_FOUND') },
  'PUT /api/v1/collections/{collectionId}': { url: (w) => `/api/v1/collections/${w.collectionId}`, body: () => ({ name: 'Renamed' }), ...ownersOnly('404 COLLECTION_NOT_FOUND') },
  'DELETE /api/v1/collections/{collectionId}': { url: (w) => `/api/v1/collections/${w.collectionId}`, fresh: true, ...ownersOnly('404 COLLECTION_NOT_FOUND') },
  'POST /api/v1/collections/{collectionId}/posts/{postId}': { url: (w) => `/api/v1/collections/${w.collectionId}/posts/${w.postId}`, ...ownersOnly('404 COLLECTION_NOT_FOUND') },
  'DELETE /api/v1/collections/{collectionId}/posts/{postId}': { url: (w) => `/api/v1/collections/${w.collectionId}/posts/${w.postId}`, ...ownersOnly('404 COLLECTION_NOT_FOUND') },
  'POST /api/v1/stories': { url: () => '/api/v1/stories', body: () => ({ media: image }), ...same(signedIn()) },
  'POST /api/v1/stories/{storyId}/view': { url: (w) => `/api/v1/stories/${w.storyId}/view`, ...seen('404 STORY_NOT_FOUND') },
  'DELETE /api/v1/stories/{storyId}': { url: (w) => `/api/v1/stories/${w.storyId}`, fresh: true, ...ownersOnly('403 NOT_AUTHOR') },
  'POST /api/v1/notifications/read': { url: () => '/api/v1/notifications/read', body: () => ({}), ...same(signedIn()) },
  'POST /api/v1/media/uploads': { url: () => '/api/v1/media/uploads', body: () => ({ filename: 'a.jpg', contentType: 'image/jpeg', size: 1000, purpose: 'post' }), ...same(signedIn()) },
  'POST /api/v1/media/{mediaId}/complete': { url: () => `/api/v1/media/${UNKNOWN}/complete`, ...same(signedIn('404 MEDIA_NOT_FOUND')) },
  'GET /api/v1/users/{username}/followers': { url: (w) => `/api/v1/users/${w.owner.username}/followers`, ...seen('404 USER_NOT_FOUND') },
  'GET /api/v1/users/{username}/following': { url: (w) => `/api/v1/users/${w.owner.username}/following`, ...seen('404 USER_NOT_FOUND') },
  // The posts the owner is tagged in: the owner's profile must be the caller's to see (each post's author too: test/e2e/user-tags.test.ts).
  'GET /api/v1/users/{username}/tagged': { url: (w) => `/api/v1/users/${w.owner.username}/tagged`, ...seen('404 USER_NOT_FOUND') },
  'GET /api/v1/follow-requests': { url: () => '/api/v1/follow-requests', ...same(signedIn()) },
  'GET /api/v1/posts/{postId}/likes': { url: (w) => `/api/v1/posts/${w.postId}/likes`, ...seen('404 POST_NOT_FOUND') },
  'GET /api/v1/bookmarks': { url: () => '/api/v1/bookmarks', ...same(signedIn()) },
  // Suggestions are the caller's own: the same answer shape for every signed-in caller.
  'GET /api/v1/suggestions/users': { url: () => '/api/v1/suggestions/users', ...same(signedIn()) },
  // Hashtag follows are each caller's own: the tag belongs to no one, so no owner's privacy or block applies.
  'POST /api/v1/hashtags/{tag}/follow': { url: () => '/api/v1/hashtags/matrix/follow', ...same(signedIn()) },
  'DELETE /api/v1/hashtags/{tag}/follow': { url: () => '/api/v1/hashtags/matrix/follow', ...same(signedIn()) },
  'GET /api/v1/hashtags/{tag}': { url: () => '/api/v1/hashtags/matrix', ...same(signedIn()) },
  'GET /api/v1/users/me/hashtags': { url: () => '/api/v1/users/me/hashtags', ...same(signedIn()) },
  'GET /api/v1/users/me/blocks': { url: () => '/api/v1/users/me/blocks', ...same(signedIn()) },
  'GET /api/v1/users/me/mutes': { url: () => '/api/v1/users/me/mutes', ...same(signedIn()) },
  'GET /api/v1/feed/home': { url: () => '/api/v1/feed/home', ...same(signedIn()) },
  'GET /api/v1/feed/user/{username}': { url: (w) => `/api/v1/feed/user/${w.owner.username}`, ...seen('404 USER_NOT_FOUND') },
  'GET /api/v1/feed/explore': { url: () => '/api/v1/feed/explore', ...same(signedIn()) },
  'GET /api/v1/stories/feed': { url: () => '/api/v1/stories/feed', ...same(signedIn()) },
  'GET /api/v1/users/{username}/stories': { url: (w) => `/api/v1/users/${w.owner.username}/stories`, ...seen('404 USER_NOT_FOUND') },
  // A block hides the story itself (404, as an unknown one); others are told only its author sees viewers.
  'GET /api/v1/stories/{storyId}/viewers': { url: (w) => `/api/v1/stories/${w.storyId}/viewers`, ...ownersOnly('403 NOT_AUTHOR', '404 STORY_NOT_FOUND') },
  'GET /api/v1/search': { url: () => '/api/v1/search?q=hello', ...same(signedIn()) },
  'GET /api/v1/search/autocomplete': { url: () => '/api/v1/search/autocomplete?q=he', ...same(signedIn()) },
  'GET /api/v1/hashtags/{tag}/posts': { url: () => '/api/v1/hashtags/world/posts', ...same(signedIn()) },
  // A location page is the search projection's: who sees which of its posts is test/e2e/locations.test.ts's.
  'GET /api/v1/locations/{locationId}/posts': { url: () => `/api/v1/locations/${UNKNOWN}/posts`, ...same(signedIn('404 LOCATION_NOT_FOUND')) },
  'GET /api/v1/notifications': { url: () => '/api/v1/notifications', ...same(signedIn()) },
  // The SSE stream stays open for a valid token: only the refusals are called.
  'GET /api/v1/stream': { url: () => '/api/v1/stream', ...same(signedIn()), skip: ['owner', 'follower', 'stranger', 'blocked', 'blocker'] },
  'GET /api/v1/media/{mediaId}': { url: () => `/api/v1/media/${UNKNOWN}`, ...same(signedIn('404 MEDIA_NOT_FOUND')) },
};

/** Approving or rejecting the stranger's follow request: the private owner's to decide (a public owner has none). */
function requestDecision() {
  const others = ['404 FOLLOW_REQUEST_NOT_FOUND', '404 FOLLOW_REQUEST_NOT_FOUND', '404 FOLLOW_REQUEST_NOT_FOUND', '404 FOLLOW_REQUEST_NOT_FOUND', N401, N401];
  return { public: row(['404 FOLLOW_REQUEST_NOT_FOUND', ...others]), private: row(['ok', ...others]) };
}

const PASSWORD = 'correct horse battery';
let accounts = 0;
const newAccount = () => {
  const username = `mx${Date.now().toString(36)}${accounts++}`;
  return { username, email: `${username}@example.com`, password: PASSWORD };
};
const user = () => api.register(newAccount().username);

const call = async (method: Method, url: string, token: string | undefined, body: unknown) => {
  // /metrics answers text: only errors need their body.
  if (url === '/metrics') return { status: (await t.app.inject({ method, url })).statusCode, body: null };
  return api.call(method, url, { token, body });
};

/** An owner with a post, a comment and a story; a follower; a stranger (with a pending request when private); one the owner blocked; one who blocked the owner. */
const world = async (isPrivate: boolean): Promise<World> => {
  const [owner, follower, stranger, blocked, blocker] = await Promise.all([user(), user(), user(), user(), user()]);
  const postId = await api.createPost(owner);
  const commentId = (await call('POST', `/api/v1/posts/${postId}/comments`, owner.token, { text: 'mine' })).body.commentId;
  const storyId = (await call('POST', '/api/v1/stories', owner.token, { media: image })).body.storyId;
  const collectionId = (await call('POST', '/api/v1/collections', owner.token, { name: 'Mine' })).body.collectionId;
  await call('POST', `/api/v1/collections/${collectionId}/posts/${postId}`, owner.token, undefined);
  await call('POST', `/api/v1/users/${owner.username}/follow`, follower.token, undefined);
  await call('POST', `/api/v1/users/${blocked.username}/block`, owner.token, undefined);
  await call('POST', `/api/v1/users/${owner.username}/block`, blocker.token, undefined);
  await call('PUT', `/api/v1/users/${owner.username}`, owner.token, { private: isPrivate });
  // The stranger asks to follow (a request when private, a follow when public: undone again).
  await call('POST', `/api/v1/users/${owner.username}/follow`, stranger.token, undefined);
  if (!isPrivate) await call('DELETE', `/api/v1/users/${owner.username}/follow`, stranger.token, undefined);
  return { owner, follower, stranger, blocked, blocker, postId, commentId, storyId, collectionId };
};

const tokenOf = (w: World, caller: Caller) => {
  if (caller === 'anonymous') return undefined;
  if (caller === 'expired') return expiredToken(w.owner);
  return w[caller].token;
};
const expiredToken = (owner: User) => {
  const eightDaysAgo = Date.now() - 8 * 24 * 3600 * 1000;
  const issued = createTokenService('test-secret-that-is-at-least-32-characters-long', () => eightDaysAgo).issue({ userId: owner.userId, username: owner.username, sessionId: owner.sessionId });
  return issued.then(({ token }) => token);
};

const outcomeOf = (response: { status: number; body: { error?: { code: string } } | null }) =>
  response.status < 300 ? 'ok' : `${response.status} ${response.body?.error?.code}`;

let routes: string[];
const worlds: Partial<Record<'public' | 'private', World>> = {};
beforeAll(async () => {
  routes = operationsOf((await api.call('GET', '/docs/json')).body).map(routeKey);
  worlds.public = await world(false);
  worlds.private = await world(true);
}, 60_000);

describe('the authorization matrix', () => {
  it('has a row for every route of the OpenAPI document, and none for a route that is gone', () => {
    expect(routes.filter((route) => !(route in matrix)), 'routes without a row').toEqual([]);
    expect(Object.keys(matrix).filter((route) => !routes.includes(route)), 'rows without a route').toEqual([]);
  });

  for (const privacy of ['public', 'private'] as const) {
    it(`every route as each caller, against a ${privacy} owner`, async () => {
      const found: string[] = [];
      const expected: string[] = [];
      for (const [route, spec] of Object.entries(matrix)) {
        const method = route.split(' ')[0] as Method;
        const w = spec.fresh ? await world(privacy === 'private') : worlds[privacy]!;
        const callers = spec.fresh ? [...CALLERS.filter((c) => c !== 'owner'), 'owner' as const] : CALLERS;
        for (const caller of callers.filter((c) => !spec.skip?.includes(c))) {
          const token = await tokenOf(w, caller);
          const response = await call(method, spec.url(w), token, spec.body?.(w));
          found.push(`${route} as ${caller}: ${outcomeOf(response)}`);
          expected.push(`${route} as ${caller}: ${spec[privacy][caller]}`);
        }
      }
      expect(found).toEqual(expected);
    }, 300_000); // about 100 routes × 7 callers in a row (fresh worlds for the rows that ask): minutes on a busy machine
  }

  // Who sees a tag of the owner on someone else's post (kernel/access.ts tagShownTo): every card
  // route as each caller, the post a third person's (public, followed by every signed-in caller),
  // tagging the owner. 'shown': the post with the owner's tag; 'hidden': the post without it (a
  // block, either way, between the caller and the owner hides the tag, never the post: the
  // tagger is no party to the block); else the route's refusal. A private owner's tag shows as a
  // public one's: being tagged is no content of the owner's.
  const TAG_SHOWN_BUT_TO_A_BLOCK = row(['shown', 'shown', 'shown', 'hidden', 'hidden', N401, N401]);
  const TAG_ROWS: Record<string, { url: (w: World, tagger: User, postId: string, word: string) => string; public: Outcomes; private: Outcomes }> = {
    'GET /api/v1/posts/{postId}': { url: (_w, _tagger, postId) => `/api/v1/posts/${postId}`, ...same(TAG_SHOWN_BUT_TO_A_BLOCK) },
    'GET /api/v1/feed/home': { url: () => '/api/v1/feed/home', ...same(TAG_SHOWN_BUT_TO_A_BLOCK) },
    'GET /api/v1/feed/home?order=ranked': { url: () => '/api/v1/feed/home?order=ranked', ...same(TAG_SHOWN_BUT_TO_A_BLOCK) },
    'GET /api/v1/feed/user/{username} (the tagger\'s)': { url: (_w, tagger) => `/api/v1/feed/user/${tagger.username}`, ...same(TAG_SHOWN_BUT_TO_A_BLOCK) },
    'GET /api/v1/hashtags/{tag}/posts': { url: (_w, _tagger, _postId, word) => `/api/v1/hashtags/${word}/posts`, ...same(TAG_SHOWN_BUT_TO_A_BLOCK) },
    'GET /api/v1/search': { url: (_w, _tagger, _postId, word) => `/api/v1/search?q=${word}&type=posts`, ...same(TAG_SHOWN_BUT_TO_A_BLOCK) },
    // The owner's own /tagged: the owner's profile must be the caller's to see, then the tag is the owner's own.
    'GET /api/v1/users/{username}/tagged': {
      url: (w) => `/api/v1/users/${w.owner.username}/tagged`,
      public: row(['shown', 'shown', 'shown', '404 USER_NOT_FOUND', '404 USER_NOT_FOUND', N401, N401]),
      private: row(['shown', 'shown', '403 PRIVATE_ACCOUNT', '404 USER_NOT_FOUND', '404 USER_NOT_FOUND', N401, N401]),
    },
  };
  for (const privacy of ['public', 'private'] as const) {
    it(`a tag of the owner on another's post, on every card route as each caller, a ${privacy} owner`, async () => {
      const w = worlds[privacy]!;
      const tagger = await user();
      const word = `mxtag${Date.now().toString(36)}`;
      const created = await call('POST', '/api/v1/posts', tagger.token, { caption: `${word} #${word}`, media: [{ ...image, tags: [{ username: w.owner.username, x: 0.5, y: 0.5 }] }] });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const postId = created.body.postId as string;
      let position = created.body.position as string;
      for (const caller of ['owner', 'follower', 'stranger', 'blocked', 'blocker'] as const) position = (await call('POST', `/api/v1/users/${tagger.username}/follow`, w[caller].token, undefined)).body.position ?? position;
      const shownIn = (body: Record<string, unknown>) => {
        const items = (body.items ?? (body.posts as { items?: unknown[] } | undefined)?.items ?? [body]) as Array<{ id: string; media: Array<{ tags?: Array<{ username: string }> }> }>;
        const post = items.find((item) => item.id === postId);
        if (!post) return 'no post';
        return post.media[0]?.tags?.some((tag) => tag.username === w.owner.username) ? 'shown' : 'hidden';
      };
      const found: string[] = [];
      const expected: string[] = [];
      for (const [route, spec] of Object.entries(TAG_ROWS)) {
        const url = spec.url(w, tagger, postId, word);
        for (const caller of CALLERS) {
          const response = await call('GET', `${url}${url.includes('?') ? '&' : '?'}minPosition=${encodeURIComponent(position)}`, await tokenOf(w, caller), undefined);
          found.push(`${route} as ${caller}: ${response.status < 300 ? shownIn(response.body) : outcomeOf(response)}`);
          expected.push(`${route} as ${caller}: ${spec[privacy][caller]}`);
        }
      }
      expect(found).toEqual(expected);
    }, 120_000);
  }

  it('a block, either way, answers every act on the owner exactly as an unknown id: the same status, code and message', async () => {
    const w = worlds.public!;
    const acts: [string, (id: string) => string, unknown][] = [
      ['like', (id) => `/api/v1/posts/${id}/like`, undefined],
      ['comment', (id) => `/api/v1/posts/${id}/comments`, { text: 'nice' }],
      ['bookmark', (id) => `/api/v1/posts/${id}/bookmark`, undefined],
      ['share', (id) => `/api/v1/posts/${id}/share`, { to: 'story' }],
      ['story view', (id) => `/api/v1/stories/${id}/view`, undefined],
    ];
    for (const caller of ['blocked', 'blocker'] as const) {
      const token = w[caller].token;
      const cases: [string, string, string, unknown][] = [
        ...acts.map(([what, url, body]): [string, string, string, unknown] => [what, url(what === 'story view' ? w.storyId : w.postId), url(UNKNOWN), body]),
        ['follow', `/api/v1/users/${w.owner.username}/follow`, '/api/v1/users/nobody_by_this_name/follow', undefined],
      ];
      for (const [what, hiddenUrl, unknownUrl, body] of cases) {
        const hidden = await call('POST', hiddenUrl, token, body);
        const unknown = await call('POST', unknownUrl, token, body);
        expect([hidden.status, hidden.body?.error], `${what} as ${caller}`).toEqual([unknown.status, unknown.body?.error]);
      }
    }
  });
});
