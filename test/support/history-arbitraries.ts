import fc from 'fast-check';
import { encodeLogPosition } from '../../events/postgres/log-position.js';
import { currentVersion, type EventStore, type NewEvent, type Position, type RecordedEvent } from '../../events/index.js';
import { intentKinds, simulateHistory, type HistoryEvent, type Intent, type IntentKind } from './history-simulator.js';

// Random but VALID event histories for the read side's property tests: every history is one the
// write side could have appended (see history-simulator.ts for the rules it plays by). Shared by
// the profiles, feed and stories tests; keep the exports stable.
//
//   fc.assert(fc.asyncProperty(anyHistory(), async (history) => {
//     await appendHistory(store, history);            // real store, real positions
//     // or: toRecordedEvents(history)                // no store, synthetic positions
//   }));

export { historyIds, historyUsernames, intentKinds, simulateHistory } from './history-simulator.js';
export type { HistoryEvent, Intent, IntentKind } from './history-simulator.js';

export interface HistoryOptions {
  /** People who may register, 2 to 8 (default 4); the first two register before anything else. */
  maxUsers?: number;
  /** Number of intents (default 0 to 40). Refused or no-op intents append nothing; a block appends up to three events. */
  minIntents?: number;
  maxIntents?: number;
  /** Story lifetime (default one hour); the clock moves 1 ms to 2 min per intent, and a `tick` 10 to 90 min. */
  storyTtlMs?: number;
  /** Which intents to draw from (default all); `register` is always possible. */
  kinds?: readonly IntentKind[];
  /** The clock at the start (default 2025-01-01T00:00:00.000Z). */
  start?: string;
}

const HOUR = 3_600_000;

// How often each intent is drawn: mostly the ones that build the graph and engage with content,
// so that short histories already hold follows, likes and comments on live posts.
const weights: Record<IntentKind, number> = {
  register: 1,
  updateProfile: 1,
  changePrivacy: 1,
  changeAvatar: 1,
  verify: 1,
  follow: 4,
  unfollow: 1,
  approveRequest: 2,
  rejectRequest: 1,
  block: 1,
  unblock: 1,
  mute: 1,
  unmute: 1,
  createPost: 4,
  tagPost: 2,
  removeTag: 1,
  editCaption: 1,
  deletePost: 1,
  like: 4,
  unlike: 2,
  comment: 3,
  deleteComment: 1,
  bookmark: 2,
  unbookmark: 1,
  createCollection: 1,
  renameCollection: 1,
  deleteCollection: 1,
  addToCollection: 2,
  removeFromCollection: 1,
  postStory: 2,
  share: 2,
  viewStory: 3,
  deleteStory: 1,
  expireStory: 2,
  requestDeletion: 1,
  restoreAccount: 1,
  eraseAccount: 2,
  tick: 1,
};

const intentOf = (kind: IntentKind): fc.Arbitrary<Intent> =>
  fc.record({
    kind: fc.constant(kind),
    a: fc.nat(63),
    b: fc.nat(63),
    c: fc.nat(63),
    advanceMs: kind === 'tick' ? fc.integer({ min: HOUR / 6, max: HOUR * 1.5 }) : fc.integer({ min: 1, max: 120_000 }),
  });

const anyIntent = (kinds: readonly IntentKind[]): fc.Arbitrary<Intent> =>
  fc.oneof(...kinds.map((kind) => ({ weight: weights[kind], arbitrary: intentOf(kind) })));

/** A random valid history, in the order the write side would have appended it. */
export const anyHistory = (options: HistoryOptions = {}): fc.Arbitrary<HistoryEvent[]> => {
  const kinds = options.kinds ?? intentKinds;
  const simulation = {
    maxUsers: options.maxUsers ?? 4,
    storyTtlMs: options.storyTtlMs ?? HOUR,
    start: options.start ?? '2025-01-01T00:00:00.000Z',
  };
  return fc
    .array(anyIntent(kinds), { minLength: options.minIntents ?? 0, maxLength: options.maxIntents ?? 40, size: 'max' })
    .map((intents) => simulateHistory(intents, simulation));
};

/**
 * Another order the log could hold the same history in: each stream's events keep their order,
 * streams interleave at random. A read model must end the same whatever the interleaving
 * (partitioned instances see streams at different paces).
 */
export const anyInterleaving = (history: readonly HistoryEvent[]): fc.Arbitrary<HistoryEvent[]> =>
  fc.array(fc.nat(), { minLength: history.length, maxLength: history.length }).map((choices) => {
    const queues = new Map<string, HistoryEvent[]>();
    for (const event of history) queues.set(event.streamId, [...(queues.get(event.streamId) ?? []), event]);
    const pending = [...queues.values()];
    return choices.map((choice) => {
      const index = choice % pending.length;
      const queue = pending[index]!;
      const event = queue.shift()!;
      if (queue.length === 0) pending.splice(index, 1);
      return event;
    });
  });

const eventIdOf = (index: number) => `0190e000-0000-7000-8000-${(index + 1).toString(16).padStart(12, '0')}`;

export const toNewEvent = (event: HistoryEvent, index: number): NewEvent => ({
  eventId: eventIdOf(index),
  type: event.type,
  data: event.data,
  metadata: { correlationId: eventIdOf(index), causationId: null, actorId: null, occurredAt: event.at },
});

/**
 * Appends the history to a real store, in order; consecutive events of one stream go in one
 * append (as FollowRequestApproved + Followed do). Event ids are fixed per index, so append a
 * history once per store. Returns the position of the last event (undefined when empty).
 */
export const appendHistory = async (store: EventStore, history: readonly HistoryEvent[]): Promise<Position | undefined> => {
  let last: Position | undefined;
  let index = 0;
  while (index < history.length) {
    const streamId = history[index]!.streamId;
    const group: NewEvent[] = [];
    while (index < history.length && history[index]!.streamId === streamId) {
      group.push(toNewEvent(history[index]!, index));
      index++;
    }
    last = (await store.append(streamId, group, 'any')).position;
  }
  return last;
};

/** The synthetic position of the i-th event (0-based), shaped like the PostgreSQL store's tokens. */
export const syntheticPosition = (index: number): Position => encodeLogPosition({ transactionId: 1n, globalPosition: BigInt(index + 1) });

/** The history as the store would give it back, without a store: revisions per stream, synthetic positions. */
export const toRecordedEvents = (history: readonly HistoryEvent[]): RecordedEvent[] => {
  const revisions = new Map<string, number>();
  return history.map((event, index) => {
    const streamRevision = revisions.get(event.streamId) ?? 0;
    revisions.set(event.streamId, streamRevision + 1);
    return {
      ...toNewEvent(event, index),
      schemaVersion: currentVersion(event.type),
      streamId: event.streamId,
      streamRevision,
      position: syntheticPosition(index),
      recordedAt: event.at,
    };
  });
};
