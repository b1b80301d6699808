import type pg from 'pg';
import type { EventStore } from '../event-store.js';
import { START } from '../position.js';
import { appendEvents, createAppendBatcher } from './append.js';
import { createAppendNotifier } from './append-notifier.js';
import { migrateEventStore } from './migrate.js';
import { createNotificationListener, type NotificationListener } from './notification-listener.js';
import { lastCommittedPosition, lastVisiblePosition, readAllEvents } from './read-all.js';
import { readStreamEvents } from './read-stream.js';
import { createPostgresSnapshotStore } from './snapshots.js';
import { subscribeToAll } from './subscribe.js';

export interface PostgresEventStoreOptions {
  /**
   * NOTIFY after appends so that subscribers, here and in other processes, wake at once
   * (default true). It is sent after the append's commit and coalesced (append-notifier.ts).
   * Without it subscribers see new events within one poll interval.
   */
  notify?: boolean;
  /** How long an idle subscription waits before reading again without a notification. */
  pollIntervalMs?: number;
  /** Events a subscription reads per round trip. */
  subscriptionBatchSize?: number;
  /** Connection of the LISTEN client; defaults to the pool's. */
  listenerConfig?: pg.ClientConfig;
  /**
   * Offer stream snapshots (snapshots.ts) to the write side (default true). Off, every command
   * folds whole streams: what bench:command-cost compares against.
   */
  snapshots?: boolean;
  /**
   * Send appends that arrive while others are in flight together, in one statement and one
   * commit (append.ts createAppendBatcher; default true). Off, each append is its own statement:
   * what bench:append compares against.
   */
  batchAppends?: boolean;
  /** Append statements in flight at once before appends queue for the next batch (default: 2, or half the pool when that is fewer; append.ts). */
  maxAppendsInFlight?: number;
}

/**
 * The PostgreSQL event store (docs/architecture.md "Event store"), in the first schema of the pool's search_path. Creates
 * or migrates its tables first. The pool stays the caller's: close() only releases the LISTEN
 * connection and ends the store's subscriptions.
 */
export const createPostgresEventStore = async (pool: pg.Pool, options: PostgresEventStoreOptions = {}): Promise<EventStore> => {
  await migrateEventStore(pool);
  const notifier = options.notify === false ? undefined : createAppendNotifier(pool);
  const listener = createNotificationListener(options.listenerConfig ?? pool.options);
  const closing = new AbortController();
  const batcher = options.batchAppends === false ? undefined : createAppendBatcher(pool, options.maxAppendsInFlight ? { maxInFlight: options.maxAppendsInFlight } : {});
  const readAll: EventStore['readAll'] = (from, max, filter) => readAllEvents(pool, from, max, filter);
  const subscriptionDeps = {
    readAll,
    listener,
    pollIntervalMs: options.pollIntervalMs ?? 250,
    batchSize: options.subscriptionBatchSize ?? 500,
    storeClosed: closing.signal,
  };

  return {
    async append(streamId, events, expected, appendOptions) {
      const guards = appendOptions?.guards;
      const result = await (batcher ? batcher.append(streamId, events, expected, guards) : appendEvents(pool, streamId, events, expected, guards));
      if (events.length > 0) notifier?.appended();
      return result;
    },
    readStream: (streamId, fromRevision) => readStreamEvents(pool, streamId, fromRevision),
    readAll,
    subscribe: (from, subscribeOptions = {}) => subscribeToAll(subscriptionDeps, from, subscribeOptions.filter, subscribeOptions.signal),
    headPosition: async () => (await lastVisiblePosition(pool)) ?? START,
    lastCommittedPosition: async () => (await lastCommittedPosition(pool)) ?? START,
    onAppend: (callback) => watchAppends(listener, callback, closing.signal),
    ...(options.snapshots === false ? {} : { snapshots: createPostgresSnapshotStore(pool) }),
    async close() {
      closing.abort();
      await Promise.all([listener.close(), notifier?.drained()]);
    },
  };
};

/** Calls `callback` after each notification of the LISTEN connection, until unsubscribed or the store closes. */
const watchAppends = (listener: NotificationListener, callback: () => void, storeClosed: AbortSignal): (() => void) => {
  const unsubscribed = new AbortController();
  const stop = AbortSignal.any([unsubscribed.signal, storeClosed]);
  const watch = async () => {
    let seen = listener.rings;
    while (!stop.aborted) {
      listener.ensureListening();
      // Rings that came while the callback ran are not lost: `seen` lags until they are reported.
      // The bounded wait re-checks the LISTEN connection now and then, should it have dropped.
      if (listener.rings === seen) await listener.wait(5_000, stop);
      if (listener.rings !== seen && !stop.aborted) {
        seen = listener.rings;
        try {
          callback();
        } catch {
          // A hint's listener failing must not end the watch (nor reject a floating promise).
        }
      }
    }
  };
  void watch();
  return () => unsubscribed.abort();
};
