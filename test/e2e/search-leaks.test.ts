import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type User } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Rule: the lists of public posts (search, hashtag pages, explore) hand out cursors built from the
// posts they return, never from one they hid, so paging past a private post never shows its id or
// its sort key; and Elasticsearch's own error messages never reach a client. On each search backend.
describe.each([{ backend: 'postgres', elasticsearch: false }, { backend: 'elasticsearch', elasticsearch: true }])(
  'no leaks from search on $backend',
  ({ elasticsearch }) => {
    let t: TestApp;
    let api: ReturnType<typeof apiClient>;
    let stranger: User;
    let last = '';
    beforeAll(async () => {
      t = await startTestApp({ elasticsearch });
      api = apiClient(t.app);
      stranger = await api.register('stranger');
    });
    afterAll(() => t?.close());

    const track = <T extends { body: { position?: string } }>(response: T) => {
      if (response.body.position && response.body.position > last) last = response.body.position;
      return response;
    };
    const get = async (who: User, url: string) => {
      const separator = url.includes('?') ? '&' : '?';
      const response = await api.call('GET', `${url}${separator}minPosition=${encodeURIComponent(last)}`, { token: who.token });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body;
    };
    const post = async (who: User, caption: string) =>
      track(await api.call('POST', '/api/v1/posts', { token: who.token, body: { caption, media: [{ url: 'https://cdn.example.com/p.jpg', type: 'image' }] } }))
        .body.postId as string;
    type PostsPage = { items: { id: string }[]; nextCursor: string | null };
    type Body = PostsPage & { posts: PostsPage };
    const decoded = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');

    /** Every page of `url` with limit=1: the ids shown and the decoded cursors handed out. */
    const pageThrough = async (url: string, pageOf: (body: Body) => PostsPage) => {
      const shown: string[] = [];
      const cursors: string[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 20; i++) {
        const page = pageOf((await get(stranger, `${url}${url.includes('?') ? '&' : '?'}limit=1${cursor ? `&cursor=${cursor}` : ''}`)) as Body);
        shown.push(...page.items.map((item) => item.id));
        if (page.nextCursor === null) break;
        cursors.push(decoded(page.nextCursor));
        cursor = page.nextCursor;
      }
      return { shown, cursors };
    };

    it('a stranger paging past a private post never sees its id in any cursor, and still sees every public post', async () => {
      const open = await api.register();
      const secret = await api.register();
      track(await api.call('PUT', `/api/v1/users/${secret.username}`, { token: secret.token, body: { private: true } }));
      const tag = `leak${elasticsearch ? 'es' : 'pg'}`;
      const first = await post(open, `first nightingale #${tag}`);
      const hidden = [await post(secret, `hidden nightingale #${tag}`), await post(secret, `hidden again nightingale #${tag}`)];
      const second = await post(open, `second nightingale #${tag}`);
      // Likes make the private posts the top of 'top' and of explore.
      for (const id of hidden) track(await api.call('POST', `/api/v1/posts/${id}/like`, { token: secret.token }));
      const lists = [
        [`/api/v1/hashtags/${tag}/posts?sort=recent`, (body: Body) => body],
        [`/api/v1/hashtags/${tag}/posts?sort=top`, (body: Body) => body],
        [`/api/v1/search?type=posts&q=nightingale`, (body: Body) => body.posts],
        [`/api/v1/feed/explore`, (body: Body) => body],
      ] as const;
      for (const [url, pageOf] of lists) {
        const { shown, cursors } = await pageThrough(url, pageOf);
        expect(shown, url).toEqual(expect.arrayContaining([first, second]));
        for (const id of hidden) {
          expect(shown, url).not.toContain(id);
          for (const cursor of cursors) expect(cursor, url).not.toContain(id);
        }
      }
    });

    // F6. Public posts only is the floor chosen for hashtags: a tag used only by a PUBLIC account
    // that blocked the viewer still shows, with its count (that account's posts are public to any
    // other account, so the count reveals nothing a fresh account would not see).
    it("a private account's hashtag never shows to a stranger, nor its count; going public shows it, going private hides it again", async () => {
      const secret = await api.register();
      const open = await api.register();
      const privacy = async (isPrivate: boolean) =>
        track(await api.call('PUT', `/api/v1/users/${secret.username}`, { token: secret.token, body: { private: isPrivate } }));
      await privacy(true);
      const tag = `projectnightingale${elasticsearch ? 'es' : 'pg'}`;
      const shared = `sharedbirds${elasticsearch ? 'es' : 'pg'}`;
      await post(secret, `plans #${tag} #${shared}`);
      await post(open, `birds #${shared}`);
      type Tags = { hashtags: { tag: string; posts: number }[] };
      const seen = async () => ({
        autocomplete: ((await get(stranger, `/api/v1/search/autocomplete?q=${encodeURIComponent(`#${tag.slice(0, 12)}`)}`)) as Tags).hashtags,
        search: ((await get(stranger, `/api/v1/search?type=hashtags&q=${tag}`)) as Tags).hashtags,
        shared: ((await get(stranger, `/api/v1/search/autocomplete?q=${encodeURIComponent(`#${shared}`)}`)) as Tags).hashtags,
      });
      expect(await seen()).toEqual({ autocomplete: [], search: [], shared: [{ tag: shared, posts: 1 }] });
      await privacy(false);
      expect(await seen()).toEqual({ autocomplete: [{ tag, posts: 1 }], search: [{ tag, posts: 1 }], shared: [{ tag: shared, posts: 2 }] });
      await privacy(true);
      expect(await seen()).toEqual({ autocomplete: [], search: [], shared: [{ tag: shared, posts: 1 }] });
    });

    // F12: an explore cursor is [now, score, id] of a page it handed out; a score no post has, or
    // an instant far from now, would rank another window (or scan it whole): refused.
    it('a forged explore cursor (a score of -1, an instant hours old or ahead) is 400 INVALID_CURSOR', async () => {
      const id = '0190a0a0-0000-7000-8000-000000000002';
      for (const key of [
        [Date.now(), -1, id],
        [Date.now() - 3 * 3_600_000, 0.01, id],
        [Date.now() + 3_600_000, 0.01, id],
      ]) {
        const cursor = Buffer.from(JSON.stringify(key)).toString('base64url');
        const response = await api.call('GET', `/api/v1/feed/explore?cursor=${cursor}`, { token: stranger.token });
        expect(response.status, JSON.stringify(key)).toBe(400);
        expect(response.body.error.code).toBe('INVALID_CURSOR');
      }
    });

    it('a forged cursor is our own 4xx, never a message of the index', async () => {
      await post(stranger, 'cats everywhere #cats');
      const id = '0190a0a0-0000-7000-8000-000000000001';
      const forged = Buffer.from(JSON.stringify([1e300, id])).toString('base64url');
      const forgedTop = Buffer.from(JSON.stringify([1e300, 1e300, id])).toString('base64url');
      const forgedTopText = Buffer.from(JSON.stringify([2 ** 31 - 1, 'x'.repeat(10), id])).toString('base64url');
      for (const url of [
        `/api/v1/hashtags/cats/posts?cursor=${forged}`,
        `/api/v1/hashtags/cats/posts?sort=top&cursor=${forgedTop}`,
        `/api/v1/hashtags/cats/posts?sort=top&cursor=${forgedTopText}`,
        `/api/v1/search?type=posts&q=cats&cursor=${forged}`,
        `/api/v1/feed/explore?cursor=${forged}`,
      ]) {
        const response = await api.call('GET', url, { token: stranger.token });
        expect(response.status, url).toBeLessThan(500);
        expect(JSON.stringify(response.body), url).not.toMatch(/index|search_phase|parse|elasticsearch|exception/i);
      }
    });
  },
);
