import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type Response, type User } from '../support/api-client.js';
import { runReplay } from '../support/replay-cli.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Crypto-shredding through the platform as wired (app/platform.ts, and the replay CLI through
// app/replay-connect.ts): personal text written over HTTP is served in clear but never stored in
// clear in the log; once its author's key is destroyed, a rebuild of every read model serves none
// of it, everybody else's content reads as before, and the author's streams still take commands.
const MARK = 'qzshredmark';

describe('personal data through the platform', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let ann: User;
  let bob: User;
  let postId: string;
  let position = '';
  const track = (response: Response) => {
    if (typeof response.body?.position === 'string' && response.body.position > position) position = response.body.position;
    expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
    return response;
  };
  const get = async (url: string) => {
    const response = await api.call('GET', `${url}${url.includes('?') ? '&' : '?'}minPosition=${encodeURIComponent(position)}`, { token: bob.token });
    expect(response.status, `${url}: ${JSON.stringify(response.body)}`).toBe(200);
    return response.body;
  };

  beforeAll(async () => {
    t = await startTestApp();
    api = apiClient(t.app);
    ann = await api.register(`ann${Date.now().toString(36)}`, { displayName: `Ann ${MARK}` });
    bob = await api.register(`bob${Date.now().toString(36)}`, { displayName: 'Bob Builder' });
    track(await api.call('PUT', `/api/v1/users/${ann.username}`, { token: ann.token, body: { bio: `I write ${MARK}` } }));
    postId = await api.createPost(ann, `beach ${MARK} #${MARK} @${bob.username}`);
    track(await api.call('POST', `/api/v1/posts/${postId}/comments`, { token: bob.token, body: { text: 'bob was here' } }));
    track(await api.call('POST', `/api/v1/posts/${postId}/comments`, { token: ann.token, body: { text: `thanks ${MARK}` } }));
    track(await api.call('PUT', `/api/v1/posts/${postId}`, { token: ann.token, body: { caption: `sunset ${MARK} #${MARK}` } }));
  });
  afterAll(() => t?.close());

  it('serves the text in clear, and the log holds none of it', async () => {
    expect(JSON.stringify(await get(`/api/v1/users/${ann.username}`))).toContain(MARK);
    expect((await get(`/api/v1/posts/${postId}`)).caption).toBe(`sunset ${MARK} #${MARK}`);
    const rows = await t.db.pool.query<{ row: string }>('select row_to_json(e)::text as row from events e');
    expect(rows.rows.length).toBeGreaterThan(5);
    expect(rows.rows.filter((r) => r.row.includes(MARK))).toEqual([]);
    expect(rows.rows.filter((r) => r.row.includes('bob was here'))).toEqual([]);
  });

  it('after the author’s key is destroyed and every read model rebuilt, serves none of their text and all of everyone else’s', async () => {
    const bobsProfile = await get(`/api/v1/users/${bob.username}`);
    expect(await t.platform.personalDataKeys.destroy(ann.userId)).toBe(true);
    const rebuilt = await runReplay(t, ['rebuild', 'all', '--handover-ms', '0']);
    expect(rebuilt.code, rebuilt.stdout + rebuilt.stderr).toBe(0);
    // Reads move to the new generations (at the next generation watch; here at once).
    await t.platform.readModels.refresh();
    const profile: unknown = await get(`/api/v1/users/${ann.username}`);
    const served = [
      profile,
      await get(`/api/v1/posts/${postId}`),
      await get(`/api/v1/posts/${postId}/comments`),
      await get(`/api/v1/feed/user/${ann.username}`),
      await get(`/api/v1/search?q=${MARK}`),
      await get(`/api/v1/hashtags/${MARK}/posts`),
      await api.call('GET', '/api/v1/notifications', { token: bob.token }).then((r) => r.body),
    ];
    for (const body of served) {
      const text = JSON.stringify(body);
      const at = text.indexOf(MARK);
      expect(at, text.slice(Math.max(0, at - 300), at + 100)).toBe(-1);
    }
    expect((await get(`/api/v1/posts/${postId}`)).caption).toBe('');
    expect(JSON.stringify(await get(`/api/v1/posts/${postId}/comments`))).toContain('bob was here');
    expect(await get(`/api/v1/users/${bob.username}`)).toEqual(bobsProfile);

    // The author's streams still take commands: the post folds from its erased events.
    track(await api.call('PUT', `/api/v1/posts/${postId}`, { token: ann.token, body: { caption: 'written after' } }));
    expect((await get(`/api/v1/posts/${postId}`)).caption).toBe('written after');
  });
});
