import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams, type RecordedEvent } from '../../../events/index.js';
import { createNotificationsProjection, createNotificationsReader, NOTIFICATION_TABLES, type NotificationItem } from '../../../projections/notifications/index.js';
import { allPages } from '../../support/all-pages.js';
import { syntheticPosition } from '../../support/history-arbitraries.js';
import { applyEvents, applyInPartitions } from '../../support/projection-harness.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

// docs/architecture.md "Account deletion" in the notifications read model:
// - during the grace period a deleting person is not an actor of anyone's notifications (a group
//   whose only actors they are is not listed and not counted unread; the others' groups name and
//   count the others), while their own groups stay theirs; a restore shows them again as before;
// - the erasure takes away their own groups, read marks and unread count, and their part in every
//   other group, also what the cascade left (a like it did not undo, a follow it did not end);
//   their row keeps the id only, so that the username can be taken again;
// - whatever the batching, and split by stream over two instances (property: the rule above
//   holds, and the read model ends the same, for any cut of the log into batches).

const WINDOW_MS = 10 * 60_000;
const T0 = Date.parse('2025-03-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

let db: TestDatabase;
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
  const events: RecordedEvent[] = [];
  const record = (type: string, data: object, streamId: string, at: number): RecordedEvent => {
    const streamRevision = revisions.get(streamId) ?? 0;
    revisions.set(streamId, streamRevision + 1);
    const event: RecordedEvent = {
      eventId: uuidv7(),
      type,
      schemaVersion: 1,
      data,
      metadata: { correlationId: uuidv7(), causationId: null, actorId: null, occurredAt: iso(at) },
      streamId,
      streamRevision,
      position: syntheticPosition(events.length + 1),
      recordedAt: iso(at),
    };
    events.push(event);
    return event;
  };
  return { events, record };
};

const people = ['owner', 'gone', 'bob', 'carl'] as const;
type Person = (typeof people)[number];

/** The scenario's log, cut at its phases: what happened, the deletion request, the restore, the second request, and the cascade with the erasure. */
const scenario = () => {
  const { events, record } = logOf();
  const id = Object.fromEntries(people.map((name) => [name, uuidv7()])) as Record<Person, string>;
  const name = Object.fromEntries(people.map((p) => [p, `${p}${id[p].slice(-6)}`])) as Record<Person, string>;
  let at = T0;
  const tick = () => (at += 1000);
  for (const p of people) record('UserRegistered', { userId: id[p], username: name[p], displayName: `The ${p}`, registeredAt: iso(T0) }, streams.user(id[p]), T0);
  const post = (author: Person, mentions: string[] = []) => {
    const postId = uuidv7();
    record('PostCreated', { postId, authorId: id[author], caption: '', hashtags: [], mentions, media: [{ url: 'm/a.jpg', type: 'image' }], createdAt: iso(tick()) }, streams.post(postId), at);
    return postId;
  };
  const like = (who: Person, postId: string, author: Person) =>
    record('Liked', { postId, userId: id[who], postAuthorId: id[author], likedAt: iso(tick()) }, streams.like(postId, id[who]), at);
  const lifecycle = (type: string, data: object) => record(type, { userId: id.gone, ...data }, streams.user(id.gone), tick());

  const first = post('owner');
  const second = post('owner');
  like('gone', first, 'owner');
  like('bob', first, 'owner');
  like('gone', second, 'owner');
  record('Followed', { followerId: id.gone, followeeId: id.owner, followedAt: iso(tick()) }, streams.follow(id.gone, id.owner), at);
  const theirs = post('gone', [name.carl]);
  like('bob', theirs, 'gone');
  const commentId = uuidv7();
  record(
    'CommentAdded',
    { commentId, postId: first, authorId: id.gone, postAuthorId: id.owner, parentCommentId: null, text: 'hi', mentions: [name.bob], createdAt: iso(tick()) },
    streams.comment(commentId),
    at,
  );
  record('NotificationsRead', { userId: id.gone, upTo: iso(at) }, streams.notifications(id.gone), at);
  const phases: number[] = [events.length];
  lifecycle('AccountDeletionRequested', { requestedAt: iso(at), eraseAfter: iso(at + 30 * 86_400_000) });
  phases.push(events.length);
  lifecycle('AccountRestored', { restoredAt: iso(at) });
  phases.push(events.length);
  lifecycle('AccountDeletionRequested', { requestedAt: iso(at), eraseAfter: iso(at + 30 * 86_400_000) });
  phases.push(events.length);
  // The cascade, as the erasure worker issues it, but leaving the like of `second` and the follow behind.
  record('Unliked', { postId: first, userId: id.gone }, streams.like(first, id.gone), tick());
  record('CommentDeleted', { commentId, postId: first, deletedBy: id.gone, deletedAt: iso(at) }, streams.comment(commentId), at);
  record('PostDeleted', { postId: theirs, authorId: id.gone, deletedAt: iso(tick()) }, streams.post(theirs), at);
  lifecycle('AccountErased', { erasedAt: iso(at) });
  phases.push(events.length);
  return { events, phases, id, name };
};

type Lists = Record<Person, { items: Array<Pick<NotificationItem, 'type' | 'actorCount' | 'text'> & { actors: string[] }>; unread: number }>;

const listsOf = async (id: Record<Person, string>): Promise<Lists> => {
  const reader = createNotificationsReader(db.pool);
  const entries = await Promise.all(
    people.map(async (p) => {
      const items = await allPages((page) => reader.list(id[p], page), 2);
      const shown = items.map((item) => ({ type: item.type, actorCount: item.actorCount, text: item.text, actors: item.actors.map((a) => a.username) }));
      return [p, { items: shown, unread: await reader.unreadCount(id[p]) }] as const;
    }),
  );
  return Object.fromEntries(entries) as Lists;
};

const projection = () => createNotificationsProjection(db.pool, { windowMs: WINDOW_MS });

describe('notifications: account deletion', () => {
  it('hides a deleting actor from every group, shows them again on restore, and the erasure leaves nothing of them', async () => {
    await reset();
    const { events, phases, id, name } = scenario();
    const upTo = (phase: number) => applyEvents(projection(), events.slice(0, phases[phase]), { batchSize: 3 });

    await upTo(0);
    const before = await listsOf(id);
    expect(before.owner.items.map((i) => i.text)).toEqual([
      `${name.gone} commented on your post`,
      `${name.gone} started following you`,
      `${name.gone} liked your post`,
      `${name.bob} and ${name.gone} liked your post`,
    ]);
    expect(before.owner.unread).toBe(4);
    expect(before.carl.items.map((i) => i.text)).toEqual([`${name.gone} mentioned you in a post`]);
    expect(before.bob.items.map((i) => i.text)).toEqual([`${name.gone} mentioned you in a comment`]);
    expect(before.gone.items).toEqual([{ type: 'like', actorCount: 1, actors: [name.bob], text: `${name.bob} liked your post`, }]);
    expect(before.gone.unread).toBe(0);

    // The grace period: only the groups with someone else in them are listed, naming and counting the others.
    await upTo(1);
    const hidden = await listsOf(id);
    expect(hidden.owner).toEqual({ items: [{ type: 'like', actorCount: 1, actors: [name.bob], text: `${name.bob} liked your post` }], unread: 1 });
    expect(hidden.carl).toEqual({ items: [], unread: 0 });
    expect(hidden.bob).toEqual({ items: [], unread: 0 });
    // Their own stay theirs.
    expect(hidden.gone).toEqual(before.gone);

    await upTo(2);
    expect(await listsOf(id)).toEqual(before);

    await upTo(3);
    expect(await listsOf(id)).toEqual(hidden);

    // The erasure: nothing of theirs, and they are in no group, whatever the cascade left.
    await upTo(4);
    const after = await listsOf(id);
    expect(after).toEqual({ ...hidden, gone: { items: [], unread: 0 } });
    const left = await db.pool.query(
      `select (select count(*)::int from notification_groups where recipient_id = $1) as groups,
              (select count(*)::int from notification_group_actors where actor_id = $1 or recipient_id = $1) as actors,
              (select count(*)::int from notification_sources where group_id is not null and (actor_id = $1 or resolved_recipient_id = $1)) as grouped,
              (select count(*)::int from notification_unread where user_id = $1) as unread,
              (select count(*)::int from notification_reads where user_id = $1) as reads,
              (select row(username, display_name, state)::text from notification_users where id = $1) as "user"`,
      [id.gone],
    );
    expect(left.rows[0]).toEqual({ groups: 0, actors: 0, grouped: 0, unread: 0, reads: 0, user: '(,"",erased)' });
  });

  it('a new owner of an erased username gets only the mentions made after they registered', async () => {
    await reset();
    const { events, id, name } = scenario();
    const { record } = (() => {
      // Continue the scenario's log: same streams, next revisions and positions.
      const revisions = new Map<string, number>();
      for (const event of events) revisions.set(event.streamId, event.streamRevision + 1);
      return {
        record: (type: string, data: object, streamId: string, at: number) => {
          const streamRevision = revisions.get(streamId) ?? 0;
          revisions.set(streamId, streamRevision + 1);
          const event: RecordedEvent = {
            eventId: uuidv7(),
            type,
            schemaVersion: 1,
            data,
            metadata: { correlationId: uuidv7(), causationId: null, actorId: null, occurredAt: iso(at) },
            streamId,
            streamRevision,
            position: syntheticPosition(events.length + 1),
            recordedAt: iso(at),
          };
          events.push(event);
        },
      };
    })();
    const later = T0 + 3_600_000;
    const heir = uuidv7();
    record('UserRegistered', { userId: heir, username: name.gone, displayName: 'Heir', registeredAt: iso(later) }, streams.user(heir), later);
    const postId = uuidv7();
    record(
      'PostCreated',
      { postId, authorId: id.bob, caption: '', hashtags: [], mentions: [name.gone], media: [{ url: 'm/b.jpg', type: 'image' }], createdAt: iso(later + 1000) },
      streams.post(postId),
      later + 1000,
    );
    await applyEvents(projection(), events, { batchSize: 4 });
    const reader = createNotificationsReader(db.pool);
    expect((await reader.list(heir, {})).items.map((i) => i.text)).toEqual([`${name.bob} mentioned you in a post`]);
    expect(await reader.list(id.gone, {})).toEqual({ items: [], nextCursor: null });
  });

  it('after the erasure no mention resolves to the account, one of a post deleted before it included', async () => {
    // A mention resolves through the username, which the erasure lets go. A mention of a deleted
    // post is in no group, so the erasure's regrouping does not reach it; a build derives it from
    // the final tables, where the username names no one, so the live path must end the same way.
    await reset();
    const { events, record } = logOf();
    const owner = uuidv7();
    const gone = uuidv7();
    record('UserRegistered', { userId: owner, username: 'owner', displayName: 'Owner', registeredAt: iso(T0) }, streams.user(owner), T0);
    record('UserRegistered', { userId: gone, username: 'gone', displayName: 'Gone', registeredAt: iso(T0) }, streams.user(gone), T0);
    const postId = uuidv7();
    record(
      'PostCreated',
      { postId, authorId: owner, caption: '@gone', hashtags: [], mentions: ['gone'], media: [{ url: 'm/a.jpg', type: 'image' }], createdAt: iso(T0 + 1000) },
      streams.post(postId),
      T0 + 1000,
    );
    record('PostDeleted', { postId, authorId: owner, deletedAt: iso(T0 + 2000) }, streams.post(postId), T0 + 2000);
    record('AccountDeletionRequested', { userId: gone, requestedAt: iso(T0 + 3000), eraseAfter: iso(T0 + 4000) }, streams.user(gone), T0 + 3000);
    record('AccountErased', { userId: gone, erasedAt: iso(T0 + 4000) }, streams.user(gone), T0 + 4000);
    for (const batchSize of [1, events.length]) {
      await reset();
      await applyEvents(projection(), events, { batchSize });
      const resolved = await db.pool.query(`select count(*)::int as n from notification_sources where resolved_recipient_id = $1`, [gone]);
      expect(resolved.rows[0], `batches of ${batchSize}`).toEqual({ n: 0 });
    }
  });

  it('ends the same whatever the batching, and split by stream over two instances (property)', async () => {
    const { events, id } = scenario();
    await reset();
    await applyEvents(projection(), events, { batchSize: 500 });
    const expected = await listsOf(id);
    const dump = async () =>
      Promise.all(
        NOTIFICATION_TABLES.map(async (table) =>
          (await db.pool.query(`select to_jsonb(t)::text as row from ${table} t where ${table === 'notification_sources' ? 'active' : table === 'notification_unread' ? 'groups <> 0' : 'true'} order by 1`)).rows.map((r) => r.row as string),
        ),
      );
    const expectedDump = await dump();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: events.length }), fc.integer({ min: 1, max: events.length }), fc.boolean(), async (a, b, split) => {
        await reset();
        if (split) await applyInPartitions(projection(), events, [a, b]);
        else await applyEvents(projection(), events, { batchSize: a });
        expect(await listsOf(id)).toEqual(expected);
        expect(await dump()).toEqual(expectedDump);
      }),
      { numRuns: 15 },
    );
  });
});
