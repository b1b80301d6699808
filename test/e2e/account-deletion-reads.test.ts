import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type User } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Rule (docs/architecture.md "Account deletion", "Hidden during the grace, blank after"): during
// its deletion grace an account is hidden from everyone but its owner, exactly as if it did not
// exist (its profile, posts, grid, comments, likes and follows, in search, hashtag pages and
// explore), while its owner still sees their own; a restore shows everything again. Read by a
// follower, a stranger and the owner, before, during and after a restore, on each search backend.
//
// The deletion and the restore go through the HTTP API (DELETE /api/v1/users/{username}, which
// ends the owner's sessions: they log in again, and POST /api/v1/users/{username}/restore).
describe.each([{ backend: 'postgres', elasticsearch: false }, { backend: 'elasticsearch', elasticsearch: true }])(
  'an account in its deletion grace, on $backend',
  ({ elasticsearch }) => {
    let t: TestApp;
    let api: ReturnType<typeof apiClient>;
    let last = '';
    beforeAll(async () => {
      t = await startTestApp({ elasticsearch });
      api = apiClient(t.app);
    });
    afterAll(() => t?.close());

    const track = <T extends { body: { position?: string } | null }>(response: T) => {
      const position = response.body?.position;
      if (position && position > last) last = position;
      return response;
    };
    const get = async (who: User, url: string) => {
      const separator = url.includes('?') ? '&' : '?';
      const response = await api.call('GET', `${url}${separator}minPosition=${encodeURIComponent(last)}`, { token: who.token });
      expect(response.headers['x-stale-projections'], `stale read of ${url}`).toBeUndefined();
      return response;
    };
    const ids = (items: { id: string }[]) => items.map((item) => item.id);
    const logIn = async (user: User): Promise<User> => {
      const { status, body } = await api.call('POST', '/api/v1/users/login', { body: { username: user.username, password: 'correct horse battery' } });
      expect(status, JSON.stringify(body)).toBe(200);
      return { ...user, token: body.accessToken, refreshToken: body.refreshToken, sessionId: body.sessionId };
    };

    it('is hidden from a follower and a stranger, shown to its owner, and back for everyone after a restore', async () => {
      const tag = `grace${elasticsearch ? 'es' : 'pg'}${Date.now().toString(36)}`;
      const word = `kingfisher${elasticsearch ? 'es' : 'pg'}`;
      let owner = await api.register();
      const follower = await api.register();
      const stranger = await api.register();
      track(await api.call('POST', `/api/v1/users/${owner.username}/follow`, { token: follower.token }));
      track(await api.call('POST', `/api/v1/users/${follower.username}/follow`, { token: owner.token }));
      const ownPost = await api.createPost(owner, `${word} at the river #${tag}`);
      const otherPost = await api.createPost(follower, `${word} watching #${tag}`);
      track(await api.call('POST', `/api/v1/posts/${otherPost}/like`, { token: owner.token }));
      const comment = track(await api.call('POST', `/api/v1/posts/${otherPost}/comments`, { token: owner.token, body: { text: 'lovely' } })).body
        .commentId as string;
      track(await api.call('POST', `/api/v1/posts/${otherPost}/like`, { token: stranger.token }));

      /** What `viewer` reads of the owner and their traces. */
      const reads = async (viewer: User) => {
        const profile = await get(viewer, `/api/v1/users/${owner.username}`);
        const post = await get(viewer, `/api/v1/posts/${ownPost}`);
        const grid = await get(viewer, `/api/v1/feed/user/${owner.username}`);
        const followers = await get(viewer, `/api/v1/users/${follower.username}/followers`);
        const following = await get(viewer, `/api/v1/users/${follower.username}/following`);
        const search = (await get(viewer, `/api/v1/search?q=${encodeURIComponent(owner.username)}&type=users`)).body;
        const posts = (await get(viewer, `/api/v1/search?q=${word}&type=posts,hashtags`)).body;
        const autocomplete = (await get(viewer, `/api/v1/search/autocomplete?q=${encodeURIComponent(`#${tag}`)}`)).body;
        return {
          profile: profile.status,
          post: [post.status, post.body?.error?.code ?? null],
          grid: grid.status === 200 ? ids(grid.body.items) : grid.status,
          home: ids((await get(viewer, '/api/v1/feed/home')).body.items).includes(ownPost),
          followers: ids(followers.body.items).includes(owner.userId),
          following: ids(following.body.items).includes(owner.userId),
          searchUsers: ids(search.users).includes(owner.userId),
          searchPosts: ids(posts.posts.items).includes(ownPost),
          hashtag: ids((await get(viewer, `/api/v1/hashtags/${tag}/posts`)).body.items).includes(ownPost),
          top: ids((await get(viewer, `/api/v1/hashtags/${tag}/posts?sort=top`)).body.items).includes(ownPost),
          tagCount: (autocomplete.hashtags as { tag: string; posts: number }[]).find((h) => h.tag === tag)?.posts ?? 0,
          explore: ids((await get(viewer, '/api/v1/feed/explore?limit=50')).body.items).includes(ownPost),
          comments: ids((await get(viewer, `/api/v1/posts/${otherPost}/comments`)).body.items).includes(comment),
          likers: ids((await get(viewer, `/api/v1/posts/${otherPost}/likes`)).body.items).includes(owner.userId),
        };
      };
      const listed = {
        profile: 200,
        post: [200, null],
        grid: [ownPost],
        followers: true,
        following: true,
        searchUsers: true,
        searchPosts: true,
        hashtag: true,
        top: true,
        tagCount: 2,
        explore: true,
        comments: true,
        likers: true,
      };
      // The follower follows the owner, so their home feed holds the owner's post; the stranger's never does.
      const first = { follower: await reads(follower), stranger: await reads(stranger), owner: await reads(owner) };
      const before = { follower: { ...listed, home: true }, stranger: { ...listed, home: false }, owner: { ...listed, home: first.owner.home } };
      expect(first).toEqual(before);

      const requested = track(await api.call('DELETE', `/api/v1/users/${owner.username}`, { token: owner.token, body: { password: 'correct horse battery' } }));
      expect(requested.status, JSON.stringify(requested.body)).toBe(202);
      owner = await logIn(owner);
      const hidden = {
        profile: 404,
        post: [404, 'POST_NOT_FOUND'],
        grid: 404,
        home: false,
        followers: false,
        following: false,
        searchUsers: false,
        searchPosts: false,
        hashtag: false,
        top: false,
        tagCount: 1,
        explore: false,
        comments: false,
        likers: false,
      };
      expect({ follower: await reads(follower), stranger: await reads(stranger), owner: await reads(owner) }).toEqual({
        follower: hidden,
        stranger: hidden,
        // The owner sees their own profile, post, grid and comment; lists of others' (followers,
        // following, likers) and search name listed accounts only, theirs included.
        owner: {
          ...hidden,
          profile: 200,
          post: [200, null],
          grid: [ownPost],
          home: before.owner.home,
          comments: true,
        },
      });
      // Counts are not recomputed during the grace (the erasure ends them for real).
      expect((await get(stranger, `/api/v1/posts/${otherPost}`)).body).toMatchObject({ likeCount: 2, commentCount: 1 });

      const restored = track(await api.call('POST', `/api/v1/users/${owner.username}/restore`, { token: owner.token }));
      expect(restored.status, JSON.stringify(restored.body)).toBe(200);
      expect({ follower: await reads(follower), stranger: await reads(stranger), owner: await reads(owner) }).toEqual(before);
    });
  },
);
