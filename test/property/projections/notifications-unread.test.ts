import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { streams, type RecordedEvent } from '../../../events/index.js';
import { createNotificationsProjection, createNotificationsReader, NOTIFICATION_TABLES } from '../../../projections/notifications/index.js';
import { ACTORS_SHOWN } from '../../../projections/notifications/notifications-reader.js';
import { allPages } from '../../support/all-pages.js';
import { explainAnalyze, recordingPool, rowsReadFrom } from '../../support/explain-plan.js';
import { syntheticPosition } from '../../support/history-arbitraries.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

// Review F9: the unread count is a maintained per-recipient count, and a page of the list reads
// the page's groups only, even when the reader blocked the actor of thousands of them, and names
// their actors by reading ACTORS_SHOWN of each, even when thousands liked one of them.
// - Property (rule: the list shows the groups with an actor no block stands between, each read
//   when its latest activity is not after the later of the marks covering it, naming the
//   ACTORS_SHOWN newest of those actors and counting all of them, and unreadCount is the number
//   of unread ones): after any sequence of likes, unlikes, blocks and unblocks either way, marks
//   of everything and of single groups, cut into batches anyhow, list, actors and count equal a
//   model of the same steps, for every user.
// - Bound: EXPLAIN ANALYZE of the list, actors and count statements, rows read, never time.

const WINDOW_MS = 10 * 60_000;
const T0 = Date.parse('2025-03-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

let db: TestDatabase;
const sent: { text: string; values: unknown[] }[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  await createNotificationsProjection(db.pool, { windowMs: WINDOW_MS }).setup();
});
afterAll(async () => {
  await db.drop();
});
const reset = () => db.pool.query(NOTIFICATION_TABLES.map((table) => `delete from ${table};`).join('') + 'delete from projection_checkpoints;');

/** A log under construction: each event gets its stream's next revision and the next position. */
const logOf = () => {
  const revisions = new Map<string, number>();
  let position = 0;
  return (type: string, data: object, streamId: string, at: number): RecordedEvent => {
    const streamRevision = revisions.get(streamId) ?? 0;
    revisions.set(streamId, streamRevision + 1);
    return {
      eventId: uuidv7(),
      type,
      schemaVersion: 1,
      data,
      metadata: { correlationId: uuidv7(), causationId: null, actorId: null, occurredAt: iso(at) },
      streamId,
      streamRevision,
      position: syntheticPosition(++position),
      recordedAt: iso(at),
    };
  };
};

const registration = (record: ReturnType<typeof logOf>, userId: string, name: string) =>
  record('UserRegistered', { userId, username: name, displayName: name, registeredAt: iso(T0) }, streams.user(userId), T0);

/** More actors than a group names, so that the property sees some left unnamed but counted. */
const ACTOR_COUNT = ACTORS_SHOWN + 2;

type Step =
  | { kind: 'like' | 'unlike'; actor: number; post: number }
  | { kind: 'block' | 'unblock'; actor: number; byRecipient: boolean }
  | { kind: 'markAll' }
  | { kind: 'markOne'; pick: number }
  | { kind: 'tick' }
  | { kind: 'cut' };

const anyStep: fc.Arbitrary<Step> = fc.oneof(
  // Likes outweigh unlikes, so that groups often have more actors than they name.
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('like' as const), actor: fc.nat(ACTOR_COUNT - 1), post: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('unlike' as const), actor: fc.nat(ACTOR_COUNT - 1), post: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('block' as const, 'unblock' as const), actor: fc.nat(ACTOR_COUNT - 1), byRecipient: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'markAll' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('markOne' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'tick' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'cut' as const }) },
);

describe('notifications: the unread count is maintained, and bounded work per page (F9)', { timeout: 300_000 }, () => {
  beforeEach(reset);

  it('the unread count equals the unread groups the list shows, after any likes, blocks, unblocks and marks, however batched', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyStep, { minLength: 1, maxLength: 40, size: 'max' }), async (steps) => {
        await reset();
        const projection = createNotificationsProjection(db.pool, { windowMs: WINDOW_MS });
        const reader = createNotificationsReader(db.pool);
        const record = logOf();
        const recipient = uuidv7();
        const actors = Array.from({ length: ACTOR_COUNT }, () => uuidv7());
        const posts = [uuidv7(), uuidv7()];
        let now = T0 + 1;
        let batch: RecordedEvent[] = [registration(record, recipient, 'recipient'), ...actors.map((id, i) => registration(record, id, `actor${i}`))];
        const flush = async () => {
          if (batch.length > 0) await projection.apply({ events: batch, position: batch.at(-1)!.position, replay: false }, 'notifications');
          batch = [];
        };
        // The model: active likes (actor, post) -> when; blocks; marks of all and of one group.
        const likedAt = new Map<string, number>();
        const blocks = new Set<string>();
        let markedAll = -Infinity;
        const markedGroup = new Map<string, number>();
        const groupKey = (postId: string, at: number) => `${postId}|${Math.floor(at / WINDOW_MS)}`;
        const expectedList = () => {
          const groups = new Map<string, { postId: string; latest: number; seen: { actor: string; at: number }[] }>();
          for (const [key, at] of likedAt) {
            const [actor, postId] = key.split('|') as [string, string];
            const blocked = blocks.has(`${recipient}|${actor}`) || blocks.has(`${actor}|${recipient}`);
            const group = groups.get(groupKey(postId, at)) ?? { postId, latest: -Infinity, seen: [] };
            // A blocked actor's activity still dates the group (as the read model documents).
            groups.set(groupKey(postId, at), { postId, latest: Math.max(group.latest, at), seen: blocked ? group.seen : [...group.seen, { actor, at }] });
          }
          const newestFirst = (a: { actor: string; at: number }, b: { actor: string; at: number }) => b.at - a.at || (a.actor < b.actor ? 1 : -1);
          return [...groups]
            .filter(([, g]) => g.seen.length > 0)
            .map(([key, g]) => ({
              post: g.postId,
              createdAt: iso(g.latest),
              read: g.latest <= Math.max(markedAll, markedGroup.get(key) ?? -Infinity),
              actors: [...g.seen].sort(newestFirst).slice(0, ACTORS_SHOWN).map((s) => s.actor),
              actorCount: g.seen.length,
            }))
            .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1) || (a.post < b.post ? 1 : -1));
        };
        const check = async () => {
          const items = await allPages((page) => reader.list(recipient, page), 3, { maxPages: 50 });
          const shown = items.map((item) => ({ post: item.post!.id, createdAt: item.createdAt, read: item.read, actors: item.actors.map((a) => a.id), actorCount: item.actorCount }));
          const byTimeThenPost = (a: { createdAt: string; post: string }, b: { createdAt: string; post: string }) =>
            a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.post < b.post ? 1 : -1;
          const expected = expectedList();
          expect([...shown].sort(byTimeThenPost)).toEqual([...expected].sort(byTimeThenPost));
          expect(await reader.unreadCount(recipient)).toBe(expected.filter((g) => !g.read).length);
          for (const actor of actors) expect(await reader.unreadCount(actor)).toBe(0);
        };
        for (const step of steps) {
          now += 1_000;
          switch (step.kind) {
            case 'like':
            case 'unlike': {
              const [postId, userId] = [posts[step.post]!, actors[step.actor]!];
              const key = `${userId}|${postId}`;
              // Only what the write side would append: a like of a post not liked, an unlike of one liked.
              if (likedAt.has(key) === (step.kind === 'like')) break;
              if (step.kind === 'like') likedAt.set(key, now);
              else likedAt.delete(key);
              const data = step.kind === 'like' ? { postId, userId, postAuthorId: recipient, likedAt: iso(now) } : { postId, userId };
              batch.push(record(step.kind === 'like' ? 'Liked' : 'Unliked', data, streams.like(postId, userId), now));
              break;
            }
            case 'block':
            case 'unblock': {
              const [blockerId, blockedId] = step.byRecipient ? [recipient, actors[step.actor]!] : [actors[step.actor]!, recipient];
              if (blocks.has(`${blockerId}|${blockedId}`) === (step.kind === 'block')) break;
              if (step.kind === 'block') blocks.add(`${blockerId}|${blockedId}`);
              else blocks.delete(`${blockerId}|${blockedId}`);
              const data = step.kind === 'block' ? { blockerId, blockedId, blockedAt: iso(now) } : { blockerId, blockedId };
              batch.push(record(step.kind === 'block' ? 'Blocked' : 'Unblocked', data, streams.block(blockerId, blockedId), now));
              break;
            }
            case 'markAll':
              markedAll = now;
              batch.push(record('NotificationsRead', { userId: recipient, upTo: iso(now) }, streams.notifications(recipient), now));
              break;
            case 'markOne': {
              await flush();
              const items = await allPages((page) => reader.list(recipient, page), 20);
              const item = items[step.pick % Math.max(items.length, 1)];
              if (item) markedGroup.set(groupKey(item.post!.id, Date.parse(item.createdAt)), now);
              if (item) batch.push(record('NotificationsRead', { userId: recipient, upTo: iso(now), ids: [item.id] }, streams.notifications(recipient), now));
              break;
            }
            case 'tick':
              now += WINDOW_MS;
              break;
            case 'cut':
              await flush();
              await check();
              break;
          }
        }
        await flush();
        await check();
      }),
      {
        numRuns: 25,
        // Always among the runs: more actors than a group names, the newest blocked, another gone, then unblocked.
        examples: [
          [
            [
              ...Array.from({ length: ACTOR_COUNT }, (_, actor) => ({ kind: 'like' as const, actor, post: 0 })),
              { kind: 'block', actor: ACTOR_COUNT - 1, byRecipient: true },
              { kind: 'cut' },
              { kind: 'unlike', actor: ACTOR_COUNT - 2, post: 0 },
              { kind: 'block', actor: 0, byRecipient: false },
              { kind: 'cut' },
              { kind: 'unblock', actor: ACTOR_COUNT - 1, byRecipient: true },
            ],
          ],
        ],
      },
    );
  });

  it("a page reads only its own groups, and the count one row, when the reader blocked the actor of hundreds of groups; setup backfills an old deployment", async () => {
    const projection = createNotificationsProjection(db.pool, { windowMs: WINDOW_MS });
    const reader = createNotificationsReader(recordingPool(db.pool, sent));
    const record = logOf();
    const [victim, harasser, friend] = [uuidv7(), uuidv7(), uuidv7()];
    const events = [registration(record, victim, 'victim'), registration(record, harasser, 'harasser'), registration(record, friend, 'friend')];
    // Each like of another post is a group of its own: 400 groups, then the victim blocks their actor.
    const liked = (userId: string, count: number, from: number) =>
      Array.from({ length: count }, (_, i) => {
        const postId = uuidv7();
        return record('Liked', { postId, userId, postAuthorId: victim, likedAt: iso(from + i) }, streams.like(postId, userId), from + i);
      });
    events.push(...liked(friend, 30, T0), ...liked(harasser, 400, T0 + 1_000));
    events.push(record('Blocked', { blockerId: victim, blockedId: harasser, blockedAt: iso(T0 + 2_000) }, streams.block(victim, harasser), T0 + 2_000));
    await projection.apply({ events, position: events.at(-1)!.position, replay: false }, 'notifications');

    const page = await reader.list(victim, { limit: 20 });
    expect(page.items).toHaveLength(20);
    expect(page.items.every((item) => item.actors[0]!.id === friend)).toBe(true);
    expect(await reader.unreadCount(victim)).toBe(30);
    const list = await explainAnalyze(db.pool, sent.findLast((s) => s.text.includes('g.visible'))!);
    expect(rowsReadFrom(list, 'notification_groups')).toBeLessThanOrEqual(21);
    const count = await explainAnalyze(db.pool, sent.findLast((s) => s.text.includes('notification_unread'))!);
    expect(rowsReadFrom(count, 'notification_groups')).toBe(0);
    expect(rowsReadFrom(count, 'notification_unread')).toBeLessThanOrEqual(1);

    // A deployment from before the flags (no columns, no counts) gets them at setup, as derived here.
    const before = { page: await reader.list(victim, { limit: 50 }), unread: await reader.unreadCount(victim) };
    await db.pool.query('drop index notification_groups_listed; drop index notification_groups_unread');
    await db.pool.query('alter table notification_groups drop column visible, drop column unread; delete from notification_unread');
    await projection.setup();
    expect({ page: await reader.list(victim, { limit: 50 }), unread: await reader.unreadCount(victim) }).toEqual(before);

    // Unblocking brings the hidden groups back, into the count too.
    const unblock = record('Unblocked', { blockerId: victim, blockedId: harasser }, streams.block(victim, harasser), T0 + 3_000);
    await projection.apply({ events: [unblock], position: unblock.position, replay: false }, 'notifications');
    expect(await reader.unreadCount(victim)).toBe(430);
    expect((await reader.list(victim, { limit: 1 })).items[0]!.actors[0]!.id).toBe(harasser);
  });

  it('a page names its actors by reading ACTORS_SHOWN per group, when hundreds liked one and the reader blocked hundreds more; setup fills an old deployment', async () => {
    const projection = createNotificationsProjection(db.pool, { windowMs: WINDOW_MS });
    const reader = createNotificationsReader(recordingPool(db.pool, sent));
    const record = logOf();
    const victim = uuidv7();
    const [fans, harassers] = [Array.from({ length: 300 }, () => uuidv7()), Array.from({ length: 300 }, () => uuidv7())];
    const events = [registration(record, victim, 'victim'), ...[...fans, ...harassers].map((id, i) => registration(record, id, `liker${i}`))];
    // One post, one window: 300 fans like it, then 300 harassers, each of whom the victim blocks.
    // Nineteen posts liked by one fan each, earlier, fill the rest of the page.
    const like = (postId: string, userId: string, at: number) => record('Liked', { postId, userId, postAuthorId: victim, likedAt: iso(at) }, streams.like(postId, userId), at);
    const crowded = uuidv7();
    events.push(...fans.slice(0, 19).map((fan, i) => like(uuidv7(), fan, T0 + i)));
    events.push(...fans.map((fan, i) => like(crowded, fan, T0 + 1_000 + i)), ...harassers.map((harasser, i) => like(crowded, harasser, T0 + 2_000 + i)));
    events.push(...harassers.map((blockedId) => record('Blocked', { blockerId: victim, blockedId, blockedAt: iso(T0 + 3_000) }, streams.block(victim, blockedId), T0 + 3_000)));
    await projection.apply({ events, position: events.at(-1)!.position, replay: false }, 'notifications');

    const page = await reader.list(victim, { limit: 20 });
    expect(page.items).toHaveLength(20);
    expect(page.items[0]!.post!.id).toBe(crowded);
    expect(page.items[0]!.actorCount).toBe(300);
    expect(page.items[0]!.actors.map((a) => a.id)).toEqual(fans.slice(-ACTORS_SHOWN).reverse());
    expect(page.items.slice(1).every((item) => item.actorCount === 1)).toBe(true);
    const actors = await explainAnalyze(db.pool, sent.findLast((s) => s.text.includes('notification_group_actors'))!);
    expect(rowsReadFrom(actors, 'notification_sources')).toBe(0);
    expect(rowsReadFrom(actors, 'notification_group_actors')).toBeLessThanOrEqual(20 * ACTORS_SHOWN);
    expect(rowsReadFrom(actors, 'notification_users')).toBeLessThanOrEqual(20 * ACTORS_SHOWN);

    // A deployment from before the actor counts and the flags gets them all at setup, as derived here.
    const before = { page: await reader.list(victim, { limit: 50 }), unread: await reader.unreadCount(victim) };
    await db.pool.query('drop table notification_group_actors');
    await db.pool.query('alter table notification_groups drop column actor_count, drop column visible, drop column unread; delete from notification_unread');
    await projection.setup();
    expect({ page: await reader.list(victim, { limit: 50 }), unread: await reader.unreadCount(victim) }).toEqual(before);

    // Unblocking one harasser names them (the newest) and counts them; a fan's unlike uncounts them.
    const unblocked = harassers.at(-1)!;
    const later = [
      record('Unblocked', { blockerId: victim, blockedId: unblocked }, streams.block(victim, unblocked), T0 + 4_000),
      record('Unliked', { postId: crowded, userId: fans[0]! }, streams.like(crowded, fans[0]!), T0 + 4_000),
    ];
    await projection.apply({ events: later, position: later.at(-1)!.position, replay: false }, 'notifications');
    const item = (await reader.list(victim, { limit: 1 })).items[0]!;
    expect(item.actorCount).toBe(300);
    expect(item.actors.map((a) => a.id)).toEqual([unblocked, ...fans.slice(-(ACTORS_SHOWN - 1)).reverse()]);
  });
});
