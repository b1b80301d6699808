import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleCommand } from '../../../commands/handle-command.js';
import { foldHistory, loadState, readStreamState, SNAPSHOT_AFTER_EVENTS } from '../../../commands/load-state.js';
import type { Decider } from '../../../domain/decider.js';
import { likeDecider } from '../../../domain/like/like.js';
import { postDecider } from '../../../domain/post/post.js';
import { userDecider } from '../../../domain/user/user.js';
import { ConcurrencyError, type DomainEvent, type EventStore, type RecordedEvent } from '../../../events/index.js';
import { createPostgresEventStore } from '../../../events/postgres/index.js';
import { toNewEvents } from '../../../commands/command-context.js';
import { ctx } from '../../support/command-fixtures.js';
import { anyMediaList, anyShortText } from '../../support/content-arbitraries.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

// The rule (commands/load-state.ts, commands/handle-command.ts): reading a stream from its
// snapshot gives exactly the state of folding its whole history, whatever snapshots are kept
// (none, a stale one, one under an old or unknown key, a damaged one), and a command appends at
// the revision that follows the last event, a racing writer still being a conflict. Against real
// PostgreSQL. Histories are random sequences of the aggregate's event types, impossible moves
// included (the lenient evolve skips them on either path), some longer than the snapshot
// threshold so that commands also write snapshots.

type AnyDecider = Decider<never, unknown, DomainEvent>;

interface Aggregate {
  name: string;
  decider: AnyDecider;
  streamOf: (id: string) => string;
  /** Events of the stream's own types, for the aggregate with this id. */
  anyEvent: (id: string) => fc.Arbitrary<DomainEvent>;
}

const at = '2025-03-01T12:00:00.000Z';
const other = '0190c000-0000-7000-8000-00000000000a';

const aggregates: Aggregate[] = [
  {
    name: 'post',
    decider: postDecider as unknown as AnyDecider,
    streamOf: (id) => `post-${id}`,
    anyEvent: (postId) =>
      fc.oneof(
        { weight: 1, arbitrary: anyMediaList.map((media): DomainEvent => ({ type: 'PostCreated', data: { postId, authorId: other, caption: 'first', hashtags: [], mentions: [], media, createdAt: at } })) },
        { weight: 6, arbitrary: anyShortText.map((caption): DomainEvent => ({ type: 'CaptionEdited', data: { postId, authorId: other, caption, hashtags: [], mentions: [], editedAt: at } })) },
        { weight: 1, arbitrary: fc.constant<DomainEvent>({ type: 'PostDeleted', data: { postId, authorId: other, deletedAt: at } }) },
      ),
  },
  {
    name: 'user',
    decider: userDecider as unknown as AnyDecider,
    streamOf: (id) => `user-${id}`,
    anyEvent: (userId) =>
      fc.oneof(
        { weight: 1, arbitrary: fc.constantFrom('ann', 'bob').map((username): DomainEvent => ({ type: 'UserRegistered', data: { userId, username, displayName: username, registeredAt: at } })) },
        {
          weight: 3,
          arbitrary: fc
            .record({ displayName: fc.constantFrom('Ann', 'Zoë', '東京'), bio: fc.constantFrom('', 'hello', '🌅 day') }, { requiredKeys: [] })
            .map((changes): DomainEvent => ({ type: 'ProfileUpdated', data: { userId, ...changes } })),
        },
        { weight: 4, arbitrary: fc.boolean().map((isPrivate): DomainEvent => ({ type: 'PrivacyChanged', data: { userId, private: isPrivate } })) },
        { weight: 1, arbitrary: fc.constant<DomainEvent>({ type: 'AvatarChanged', data: { userId, avatar: null, changedAt: at } }) },
      ),
  },
  {
    name: 'like',
    decider: likeDecider as unknown as AnyDecider,
    streamOf: (id) => `like-${id}-${other}`,
    anyEvent: (postId) =>
      fc.oneof(
        fc.constant<DomainEvent>({ type: 'Liked', data: { postId, userId: other, postAuthorId: other, likedAt: at } }),
        fc.constant<DomainEvent>({ type: 'Unliked', data: { postId, userId: other } }),
      ),
  },
];

/** An event every stream of the aggregate accepts: what the probe command appends. */
const probeEvent = (aggregate: Aggregate, id: string): DomainEvent => fc.sample(aggregate.anyEvent(id), { numRuns: 1, seed: 1 })[0]!;

/** A kept snapshot row, as `at` (0 to 1) of the way through the history. */
type Kept =
  | { kind: 'valid'; at: number }
  | { kind: 'old key'; at: number }
  | { kind: 'unknown key'; at: number }
  | { kind: 'damaged'; at: number; how: 'state' | 'revision' | 'digest' };

const anyKept: fc.Arbitrary<Kept> = fc.oneof(
  fc.record({ kind: fc.constant('valid' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('old key' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('unknown key' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('damaged' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), how: fc.constantFrom('state' as const, 'revision' as const, 'digest' as const) }),
);

const anyCase = fc.record({
  aggregate: fc.constantFrom(...aggregates),
  length: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: SNAPSHOT_AFTER_EVENTS - 5, max: 2 * SNAPSHOT_AFTER_EVENTS + 10 })),
  seed: fc.integer(),
  kept: fc.array(anyKept, { maxLength: 3 }),
  racingWriter: fc.boolean(),
  maxAttempts: fc.constantFrom(1, 5),
});

describe('reading from snapshots (PostgreSQL)', () => {
  let db: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = await createPostgresEventStore(db.pool, { notify: false });
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  const keep = async (aggregate: Aggregate, streamId: string, history: readonly RecordedEvent[], kept: Kept) => {
    if (history.length === 0) return;
    const revision = Math.min(history.length - 1, Math.floor(kept.at * history.length));
    const key = aggregate.decider.snapshot!.key;
    const state = foldHistory(aggregate.decider, history.slice(0, revision + 1));
    const snapshot = { revision, position: history[revision]!.position, state };
    if (kept.kind === 'old key') return store.snapshots!.saveSnapshot(streamId, `${key}-old`, { ...snapshot, state: { status: 'of another shape' } });
    if (kept.kind === 'unknown key') return store.snapshots!.saveSnapshot(streamId, 'nobody.v9', { ...snapshot, state: 'garbage' });
    await store.snapshots!.saveSnapshot(streamId, key, snapshot);
    if (kept.kind === 'damaged') {
      const change = { state: `state = '{"status": "garbage"}'`, revision: 'revision = revision + 1', digest: `digest = 'x'` }[kept.how];
      await db.pool.query(`update stream_snapshots set ${change} where stream_id = $1 and snapshot_key = $2`, [streamId, key]);
    }
  };

  it('gives the state of the whole history, and commands append at the next revision', async () => {
    await fc.assert(
      fc.asyncProperty(anyCase, async ({ aggregate, length, seed, kept, racingWriter, maxAttempts }) => {
        const id = uuidv7();
        const streamId = aggregate.streamOf(id);
        const events = length === 0 ? [] : fc.sample(aggregate.anyEvent(id), { numRuns: length, seed });
        if (events.length > 0) await store.append(streamId, toNewEvents(events, ctx), 'no_stream');
        const history = await store.readStream(streamId);
        for (const row of kept) await keep(aggregate, streamId, history, row);

        const read = await readStreamState(store, streamId, aggregate.decider);
        expect(read.state).toStrictEqual(foldHistory(aggregate.decider, history));
        expect(read.revision).toBe(history.length - 1);
        expect(read.position).toBe(history.at(-1)?.position);
        expect(await loadState(store, streamId, aggregate.decider)).toStrictEqual(foldHistory(aggregate.decider, history));

        // A writer that appends just before the command's first append: its read is then stale.
        let raced = false;
        const racing: EventStore = {
          ...store,
          append: async (stream, newEvents, expected) => {
            if (racingWriter && !raced) {
              raced = true;
              await store.append(stream, toNewEvents([probeEvent(aggregate, id)], ctx), 'any');
            }
            return store.append(stream, newEvents, expected);
          },
        };
        const probe = { ...aggregate.decider, decide: () => [probeEvent(aggregate, id)] };
        const command = handleCommand({ store: racing, stream: streamId, decider: probe, command: () => ({}) as never, ctx, maxAttempts });
        const before = history.length + (racingWriter ? 1 : 0);
        if (racingWriter && maxAttempts === 1) {
          await expect(command).rejects.toBeInstanceOf(ConcurrencyError);
          expect(await store.readStream(streamId)).toHaveLength(before);
        } else {
          const result = await command;
          const after = await store.readStream(streamId);
          expect(after).toHaveLength(before + 1);
          expect(after.map((e) => e.streamRevision)).toEqual(after.map((_, i) => i));
          expect(result.position).toBe(after.at(-1)!.position);
        }
        // Whatever the command kept as a snapshot leads to the whole history's state too.
        const now = await store.readStream(streamId);
        expect((await readStreamState(store, streamId, aggregate.decider)).state).toStrictEqual(foldHistory(aggregate.decider, now));
      }),
      { numRuns: 60, interruptAfterTimeLimit: 60_000 },
    );
  });
});
