import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/test-app.js';

const TTL_MS = 60 * 60_000;
const { t, api } = useTestApp({ storyTtlMs: TTL_MS });

const media = { url: 'https://cdn.example.com/s.mp4', type: 'video' };

describe('stories over HTTP', () => {
  it('posts a story expiring STORY_TTL later, records one view per viewer, and lets only the author delete it', async () => {
    const [author, viewer] = [await api.register(), await api.register()];
    const posted = await api.call('POST', '/api/v1/stories', { token: author.token, body: { media } });
    expect(posted.status).toBe(201);
    const [event] = await t.platform.commands.store.readStream(`story-${posted.body.storyId}`);
    const { postedAt, expiresAt } = event!.data as { postedAt: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.parse(postedAt)).toBe(TTL_MS);
    expect(posted.body.expiresAt).toBe(expiresAt);

    const { storyId } = posted.body;
    for (let i = 0; i < 2; i++) expect((await api.call('POST', `/api/v1/stories/${storyId}/view`, { token: viewer.token })).status).toBe(200);
    const views = (await t.allEvents()).filter((e) => e.streamId === `storyview-${storyId}-${viewer.userId}`);
    expect(views.map((e) => e.type)).toEqual(['StoryViewed']);

    const byViewer = await api.call('DELETE', `/api/v1/stories/${storyId}`, { token: viewer.token });
    expect(byViewer.status).toBe(403);
    expect((await api.call('DELETE', `/api/v1/stories/${storyId}`, { token: author.token })).status).toBe(200);
    const afterDelete = await api.call('POST', `/api/v1/stories/${storyId}/view`, { token: viewer.token });
    expect(afterDelete.status).toBe(404);
  });

  it('refuses a view from a blocked user (as an unknown story) and from a non-follower of a private account', async () => {
    const [author, blocked, stranger] = [await api.register(), await api.register(), await api.register()];
    const { body } = await api.call('POST', '/api/v1/stories', { token: author.token, body: { media } });
    await api.call('POST', `/api/v1/users/${blocked.username}/block`, { token: author.token });
    const byBlocked = await api.call('POST', `/api/v1/stories/${body.storyId}/view`, { token: blocked.token });
    // Answered exactly as a story that does not exist: the blocked user learns of neither.
    const unknown = await api.call('POST', '/api/v1/stories/0190a000-0000-7000-8000-00000000dead/view', { token: blocked.token });
    expect(byBlocked.status).toBe(404);
    expect(byBlocked.body.error).toEqual(unknown.body.error);
    await api.call('PUT', `/api/v1/users/${author.username}`, { token: author.token, body: { private: true } });
    const byStranger = await api.call('POST', `/api/v1/stories/${body.storyId}/view`, { token: stranger.token });
    expect(byStranger.status).toBe(403);
    expect(byStranger.body.error.code).toBe('PRIVATE_ACCOUNT');
  });
});
