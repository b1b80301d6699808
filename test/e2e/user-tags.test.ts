import { describe, expect, it } from 'vitest';
import type { User } from '../support/api-client.js';
import { eventually } from '../support/kafka.js';
import { useTestApp } from '../support/test-app.js';

// User tags end to end (issue 17): people tagged on a post's items through the real projections to
// the post's cards (post page, home feed, profile grid), the tagged person's notification, their
// GET /users/{username}/tagged page with its privacy, and taking a tag off.

const { t, api } = useTestApp();

const image = (n: number) => ({ url: `https://cdn.example.com/tag-${n}.jpg`, type: 'image' });
const send = async (who: User, method: 'POST' | 'DELETE' | 'PUT', url: string, body?: unknown) => {
  const response = await api.call(method, url, { token: who.token, ...(body !== undefined ? { body } : {}) });
  expect(response.status, `${method} ${url}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
  return response.body as { position: string; postId?: string; tagged?: boolean };
};
const get = async (who: User, url: string, position: string) => {
  const separator = url.includes('?') ? '&' : '?';
  const response = await api.call('GET', `${url}${separator}minPosition=${encodeURIComponent(position)}`, { token: who.token });
  expect(response.status, `GET ${url}: ${JSON.stringify(response.body)}`).toBe(200);
  return response.body;
};
/** A post of `author` with `tags[i]` on item i. */
const postTagging = async (author: User, tags: Array<Array<{ username: string; x: number; y: number }>>) => {
  const media = tags.map((onItem, n) => ({ ...image(n), ...(onItem.length > 0 && { tags: onItem }) }));
  const created = await send(author, 'POST', '/api/v1/posts', { caption: 'tagged', media });
  return { postId: created.postId!, position: created.position };
};
const taggedIds = async (viewer: User, of: User, position: string) =>
  ((await get(viewer, `/api/v1/users/${of.username}/tagged`, position)).items as Array<{ id: string }>).map((p) => p.id);
const postEvents = async () => (await t.allEvents()).filter((e) => e.streamId.startsWith('post-'));

describe('tagging people on a post', () => {
  it("stores ids, shows names on every card, notifies the tagged person, and lists the post under their /tagged", async () => {
    const [author, ann, bob, follower] = [await api.register(), await api.register(), await api.register(), await api.register()];
    await send(follower, 'POST', `/api/v1/users/${author.username}/follow`);
    const { postId, position } = await postTagging(author, [
      [
        { username: ann.username, x: 0.25, y: 0.5 },
        { username: bob.username.toUpperCase(), x: 1, y: 0 },
      ],
      [{ username: ann.username, x: 0, y: 1 }],
    ]);
    const [created] = await t.platform.commands.store.readStream(`post-${postId}`);
    expect((created!.data as { media: Array<{ tags?: unknown }> }).media.map((item) => item.tags)).toEqual([
      [
        { userId: ann.userId, x: 0.25, y: 0.5 },
        { userId: bob.userId, x: 1, y: 0 },
      ],
      [{ userId: ann.userId, x: 0, y: 1 }],
    ]);

    const shownTags = [
      [
        { username: ann.username, x: 0.25, y: 0.5 },
        { username: bob.username, x: 1, y: 0 },
      ],
      [{ username: ann.username, x: 0, y: 1 }],
    ];
    const page = await get(follower, `/api/v1/posts/${postId}`, position);
    expect(page.media.map((item: { tags?: unknown }) => item.tags)).toEqual(shownTags);
    expect(JSON.stringify(page)).not.toContain(ann.userId);
    const home = await get(follower, '/api/v1/feed/home', position);
    expect(home.items.find((p: { id: string }) => p.id === postId).media.map((item: { tags?: unknown }) => item.tags)).toEqual(shownTags);
    const grid = await get(follower, `/api/v1/feed/user/${author.username}`, position);
    expect(grid.items[0].media.map((item: { tags?: unknown }) => item.tags)).toEqual(shownTags);

    for (const tagged of [ann, bob]) {
      const { items } = await get(tagged, '/api/v1/notifications', position);
      const tags = items.filter((item: { type: string }) => item.type === 'tagged');
      expect(tags).toHaveLength(1);
      expect(tags[0]).toMatchObject({ post: { id: postId }, text: `${author.username} tagged you in a post` });
      expect(await taggedIds(tagged, tagged, position)).toEqual([postId]);
    }
    expect(await taggedIds(follower, ann, position)).toEqual([postId]);
    // The author tagged no one else: their own /tagged is empty.
    expect(await taggedIds(author, author, position)).toEqual([]);
  });

  it('pages /tagged newest first with a cursor', async () => {
    const [author, ann] = [await api.register(), await api.register()];
    const ids: string[] = [];
    let position = '';
    for (let n = 0; n < 3; n++) ({ postId: ids[n]!, position } = await postTagging(author, [[{ username: ann.username, x: 0.5, y: 0.5 }]]));
    const first = await get(ann, `/api/v1/users/${ann.username}/tagged?limit=2`, position);
    expect(first.items.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1]]);
    const second = await get(ann, `/api/v1/users/${ann.username}/tagged?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`, position);
    expect(second.items.map((p: { id: string }) => p.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();
  });

  it('the tagged person takes themself off: gone from /tagged, the card and their notifications; again is a no-op', async () => {
    const [author, ann, bob] = [await api.register(), await api.register(), await api.register()];
    const { postId } = await postTagging(author, [[{ username: ann.username, x: 0.1, y: 0.2 }, { username: bob.username, x: 0.3, y: 0.4 }], [{ username: ann.username, x: 0.5, y: 0.5 }]]);
    const removed = await send(ann, 'DELETE', `/api/v1/posts/${postId}/tags/me`);
    expect(removed).toMatchObject({ postId, tagged: false });
    const events = await postEvents();
    expect(events.filter((e) => e.type === 'TagRemoved')).toHaveLength(1);

    expect(await taggedIds(ann, ann, removed.position)).toEqual([]);
    const page = await get(bob, `/api/v1/posts/${postId}`, removed.position);
    expect(page.media.map((item: { tags?: unknown }) => item.tags)).toEqual([[{ username: bob.username, x: 0.3, y: 0.4 }], undefined]);
    const { items } = await get(ann, '/api/v1/notifications', removed.position);
    expect(items.filter((item: { type: string }) => item.type === 'tagged')).toEqual([]);

    // Not tagged (any more, or ever): the same answer, no event.
    const again = await send(ann, 'DELETE', `/api/v1/posts/${postId}/tags/me`);
    expect(again).toMatchObject({ postId, tagged: false });
    await send(author, 'DELETE', `/api/v1/posts/${postId}/tags/me`);
    expect((await postEvents()).length).toBe(events.length);
  });

  it('a cached card (a plain read, no minPosition) loses the tag once the removal is applied: TagRemoved touches the card', async () => {
    const [author, ann, viewer] = [await api.register(), await api.register(), await api.register()];
    const { postId, position } = await postTagging(author, [[{ username: ann.username, x: 0.5, y: 0.5 }]]);
    await get(viewer, `/api/v1/posts/${postId}`, position);
    await eventually('the card bus subscribed', async () => t.platform.reads.cards.live, 10_000);
    const plain = async () => (await api.call('GET', `/api/v1/posts/${postId}`, { token: viewer.token })).body.media[0].tags;
    await eventually('the tag on the cached card', async () => JSON.stringify(await plain()) === JSON.stringify([{ username: ann.username, x: 0.5, y: 0.5 }]), 10_000);
    await send(ann, 'DELETE', `/api/v1/posts/${postId}/tags/me`);
    await eventually('the tag off the cached card', async () => (await plain()) === undefined, 10_000);
  });

  it("a cached card follows the tagged person's deletion and restore (the card cache indexes cards by the people they tag)", async () => {
    const [author, ann, viewer] = [await api.register(), await api.register(), await api.register()];
    const { postId, position } = await postTagging(author, [[{ username: ann.username, x: 0.5, y: 0.5 }]]);
    await get(viewer, `/api/v1/posts/${postId}`, position);
    await eventually('the card bus subscribed', async () => t.platform.reads.cards.live, 10_000);
    const plain = async () => (await api.call('GET', `/api/v1/posts/${postId}`, { token: viewer.token })).body.media[0].tags;
    await eventually('the tag on the cached card', async () => (await plain())?.[0]?.username === ann.username, 10_000);
    await send(ann, 'DELETE', `/api/v1/users/${ann.username}`, { password: 'correct horse battery' });
    await eventually('a deleting person off the cached card', async () => (await plain()) === undefined, 10_000);
    // The deletion ended Ann's sessions: she logs in again to restore.
    const login = await api.call('POST', '/api/v1/users/login', { body: { username: ann.username, password: 'correct horse battery' } });
    await send({ ...ann, token: login.body.accessToken }, 'POST', `/api/v1/users/${ann.username}/restore`);
    await eventually('the restored person back on the cached card', async () => (await plain())?.[0]?.username === ann.username, 10_000);
  });

  it('the author may take someone off; a third person may not (403 NOT_AUTHOR)', async () => {
    const [author, ann, stranger] = [await api.register(), await api.register(), await api.register()];
    const { postId } = await postTagging(author, [[{ username: ann.username, x: 0.5, y: 0.5 }]]);
    const refused = await api.call('DELETE', `/api/v1/posts/${postId}/tags/${ann.username}`, { token: stranger.token });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'NOT_AUTHOR']);
    const removed = await send(author, 'DELETE', `/api/v1/posts/${postId}/tags/${ann.username}`);
    expect(await taggedIds(ann, ann, removed.position)).toEqual([]);
  });

  it('a deleted post leaves /tagged', async () => {
    const [author, ann] = [await api.register(), await api.register()];
    const { postId, position } = await postTagging(author, [[{ username: ann.username, x: 0.5, y: 0.5 }]]);
    expect(await taggedIds(ann, ann, position)).toEqual([postId]);
    const deleted = await send(author, 'DELETE', `/api/v1/posts/${postId}`);
    expect(await taggedIds(ann, ann, deleted.position)).toEqual([]);
  });
});

describe('a tag of someone a block stands between with the viewer', () => {
  /** The usernames each item of the post shows to `viewer`, as `body` holds it (undefined for an item with no tag). */
  const tagsIn = (post: { media: Array<{ tags?: Array<{ username: string }> }> } | undefined) => post?.media.map((item) => item.tags?.map((tag) => tag.username));
  const postIn = (body: { items: Array<{ id: string }> }, postId: string) => body.items.find((post) => post.id === postId) as Parameters<typeof tagsIn>[0];

  // Rule (docs/rules.md "Who may see whom", kernel/access.ts tagShownTo): a viewer a block stands
  // between with a tagged person, either way, sees the post (the author's, whom they may see)
  // without that person's tag on every surface that shows a card: the home feed (card cache, from
  // SQL and from the cached facts), the post page, the author's grid, another tagged person's
  // /tagged, the hashtag page and search; a viewer with no such block sees the tag.
  it('bob blocks one viewer, another blocks bob: both see ann’s post without bob’s tag everywhere; a third viewer sees it', async () => {
    const [ann, bob, cat, blockedByBob, blocksBob, bystander] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => api.register()));
    for (const viewer of [blockedByBob!, blocksBob!, bystander!]) await send(viewer, 'POST', `/api/v1/users/${ann!.username}/follow`);
    const word = `tagblock${Date.now().toString(36)}`;
    const created = await send(ann!, 'POST', '/api/v1/posts', {
      caption: `${word} #${word}`,
      media: [{ ...image(0), tags: [{ username: bob!.username, x: 0.1, y: 0.1 }, { username: cat!.username, x: 0.9, y: 0.9 }] }, { ...image(1), tags: [{ username: bob!.username, x: 0.5, y: 0.5 }] }],
    });
    const postId = created.postId!;
    await send(bob!, 'POST', `/api/v1/users/${blockedByBob!.username}/block`);
    const { position } = await send(blocksBob!, 'POST', `/api/v1/users/${bob!.username}/block`);
    const everywhere = async (viewer: User, at: string) => ({
      home: tagsIn(postIn(await get(viewer, '/api/v1/feed/home', at), postId)),
      ranked: tagsIn(postIn(await get(viewer, '/api/v1/feed/home?order=ranked', at), postId)),
      page: tagsIn(await get(viewer, `/api/v1/posts/${postId}`, at)),
      grid: tagsIn(postIn(await get(viewer, `/api/v1/feed/user/${ann!.username}`, at), postId)),
      catTagged: tagsIn(postIn(await get(viewer, `/api/v1/users/${cat!.username}/tagged`, at), postId)),
      hashtag: tagsIn(postIn(await get(viewer, `/api/v1/hashtags/${word}/posts`, at), postId)),
      search: tagsIn(postIn((await get(viewer, `/api/v1/search?q=${word}&type=posts`, at)).posts, postId)),
    });
    const surfaces = (tags: Array<string[] | undefined>) => ({ home: tags, ranked: tags, page: tags, grid: tags, catTagged: tags, hashtag: tags, search: tags });
    const withBob = [[bob!.username, cat!.username], [bob!.username]];
    const withoutBob = [[cat!.username], undefined];
    expect(await everywhere(bystander!, position), 'a viewer with no block').toEqual(surfaces(withBob));
    expect(await everywhere(blockedByBob!, position), 'bob blocked the viewer').toEqual(surfaces(withoutBob));
    expect(await everywhere(blocksBob!, position), 'the viewer blocked bob').toEqual(surfaces(withoutBob));
    expect(tagsIn(await get(ann!, `/api/v1/posts/${postId}`, position)), 'the author').toEqual(withBob);

    // Plain reads, from the card cache once it holds the cards and the pair facts (its fast path), answer the same.
    await eventually('the card bus subscribed', async () => t.platform.reads.cards.live, 10_000);
    const plainHome = async (viewer: User) => tagsIn(postIn((await api.call('GET', '/api/v1/feed/home', { token: viewer.token })).body, postId));
    for (const [viewer, tags] of [[blockedByBob!, withoutBob], [blocksBob!, withoutBob], [bystander!, withBob]] as const) {
      await plainHome(viewer);
      expect(await plainHome(viewer)).toEqual(tags);
      expect(tagsIn((await api.call('GET', `/api/v1/posts/${postId}`, { token: viewer.token })).body)).toEqual(tags);
    }

    // The block undone, the tag shows again (the pair's card touch evicts the cached fact).
    const unblocked = await send(bob!, 'DELETE', `/api/v1/users/${blockedByBob!.username}/block`);
    expect(tagsIn(await get(blockedByBob!, `/api/v1/posts/${postId}`, unblocked.position))).toEqual(withBob);
    await eventually('the tag back on the cached home feed', async () => JSON.stringify(await plainHome(blockedByBob!)) === JSON.stringify(withBob), 10_000);
  });
});

describe('who may see /tagged', () => {
  it('a stranger sees a public account’s tags; a private account’s answer 403 PRIVATE_ACCOUNT to a non-follower; a block either way 404 USER_NOT_FOUND', async () => {
    const [author, ann, stranger, blocker] = [await api.register(), await api.register(), await api.register(), await api.register()];
    const { postId, position } = await postTagging(author, [[{ username: ann.username, x: 0.5, y: 0.5 }]]);
    expect(await taggedIds(stranger, ann, position)).toEqual([postId]);

    const blocked = await send(ann, 'POST', `/api/v1/users/${blocker.username}/block`);
    const hidden = await api.call('GET', `/api/v1/users/${ann.username}/tagged?minPosition=${encodeURIComponent(blocked.position)}`, { token: blocker.token });
    expect([hidden.status, hidden.body.error.code]).toEqual([404, 'USER_NOT_FOUND']);

    const privacy = await send(ann, 'PUT', `/api/v1/users/${ann.username}`, { private: true });
    const refused = await api.call('GET', `/api/v1/users/${ann.username}/tagged?minPosition=${encodeURIComponent(privacy.position)}`, { token: stranger.token });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'PRIVATE_ACCOUNT']);
  });

  it("leaves out a post whose author the viewer may not see (a private author not followed, a block with the author)", async () => {
    const [author, ann, viewer] = [await api.register(), await api.register(), await api.register()];
    const { postId, position } = await postTagging(author, [[{ username: ann.username, x: 0.5, y: 0.5 }]]);
    expect(await taggedIds(viewer, ann, position)).toEqual([postId]);
    const blocked = await send(author, 'POST', `/api/v1/users/${viewer.username}/block`);
    expect(await taggedIds(viewer, ann, blocked.position)).toEqual([]);
    // Ann still sees it: she may see the author.
    expect(await taggedIds(ann, ann, blocked.position)).toEqual([postId]);

    const [closed, follower] = [await api.register(), await api.register()];
    await send(closed, 'PUT', `/api/v1/users/${closed.username}`, { private: true });
    await send(follower, 'POST', `/api/v1/users/${closed.username}/follow`);
    const approved = await send(closed, 'POST', `/api/v1/follow-requests/${follower.username}/approve`);
    const { postId: hiddenPost, position: at } = await postTagging(closed, [[{ username: ann.username, x: 0.5, y: 0.5 }]]);
    expect(approved.position).toBeTruthy();
    // The viewer (blocked by the first author, not following the private one) sees neither; the follower both.
    expect(await taggedIds(viewer, ann, at)).toEqual([]);
    expect(await taggedIds(follower, ann, at)).toEqual([hiddenPost, postId]);
  });
});

describe('refusals', () => {
  it("a blocked person, either way, is answered exactly as an unknown username, naming the tag; no event", async () => {
    const [author, blockedByAuthor, blocksAuthor] = [await api.register(), await api.register(), await api.register()];
    await send(author, 'POST', `/api/v1/users/${blockedByAuthor.username}/block`);
    await send(blocksAuthor, 'POST', `/api/v1/users/${author.username}/block`);
    const before = (await postEvents()).length;
    const attempt = (username: string) =>
      api.call('POST', '/api/v1/posts', { token: author.token, body: { media: [image(0), { ...image(1), tags: [{ username: author.username, x: 0, y: 0 }, { username, x: 0.5, y: 0.5 }] }] } });
    const unknown = await attempt('nobody_here_at_all');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'USER_NOT_FOUND', details: [{ path: 'media.1.tags.1.username' }] });
    for (const username of [blockedByAuthor.username, blocksAuthor.username]) {
      const refused = await attempt(username);
      expect(refused.status).toBe(404);
      expect(refused.body).toEqual(unknown.body);
    }
    expect((await postEvents()).length).toBe(before);
  });

  it('bad input is a 4xx naming the field, and appends nothing', async () => {
    const [author, ann] = [await api.register(), await api.register()];
    const before = (await postEvents()).length;
    const tag = { username: ann.username, x: 0.5, y: 0.5 };
    const cases: Array<{ media: unknown[]; status: number; code: string; path: string }> = [
      { media: [{ ...image(0), tags: [{ ...tag, x: 1.5 }] }], status: 400, code: 'VALIDATION_FAILED', path: 'media.0.tags.0.x' },
      { media: [{ ...image(0), tags: [{ ...tag, y: -0.1 }] }], status: 400, code: 'VALIDATION_FAILED', path: 'media.0.tags.0.y' },
      { media: [{ ...image(0), tags: [{ username: ann.username, x: 0.5 }] }], status: 400, code: 'VALIDATION_FAILED', path: 'media.0.tags.0.y' },
      { media: [{ ...image(0), tags: [{ ...tag, userId: ann.userId }] }], status: 400, code: 'VALIDATION_FAILED', path: 'media.0.tags.0' },
      { media: [{ ...image(0), tags: [{ ...tag, username: 'Not A Name!' }] }], status: 400, code: 'VALIDATION_FAILED', path: 'media.0.tags.0.username' },
      { media: [{ ...image(0), tags: Array.from({ length: 21 }, () => tag) }], status: 400, code: 'VALIDATION_FAILED', path: 'media.0.tags' },
      { media: Array.from({ length: 3 }, (_, n) => ({ ...image(n), tags: Array.from({ length: 17 }, () => tag) })), status: 400, code: 'VALIDATION_FAILED', path: 'media' },
      { media: [{ ...image(0), tags: [tag, { ...tag, x: 0.9 }] }], status: 400, code: 'DUPLICATE_TAG', path: 'media.0.tags.1.username' },
    ];
    for (const { media, status, code, path } of cases) {
      const response = await api.call('POST', '/api/v1/posts', { token: author.token, body: { media } });
      expect(response.status, JSON.stringify(media).slice(0, 200)).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect((await postEvents()).length).toBe(before);
  });

  it('a story takes no tags (400); taking oneself off an unknown post answers as for any post one is not on, the author route 404 POST_NOT_FOUND', async () => {
    const [author, ann] = [await api.register(), await api.register()];
    const story = await api.call('POST', '/api/v1/stories', { token: author.token, body: { media: { ...image(0), tags: [{ username: ann.username, x: 0, y: 0 }] } } });
    expect([story.status, story.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const unknownPost = '0190a000-0000-7000-8000-00000000dead';
    const self = await api.call('DELETE', `/api/v1/posts/${unknownPost}/tags/me`, { token: ann.token });
    expect([self.status, self.body.tagged]).toEqual([200, false]);
    const missing = await api.call('DELETE', `/api/v1/posts/${unknownPost}/tags/${ann.username}`, { token: author.token });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'POST_NOT_FOUND']);
  });
});
