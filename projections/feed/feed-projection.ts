import type pg from 'pg';
import type { RecordedEvent } from '../../events/index.js';
import type { PushPublisher } from '../push/push-bus.js';
import { ensureCheckpointTable, loadCheckpoint, saveCheckpoint } from '../runtime/checkpoints-postgres.js';
import type { Projection } from '../runtime/projection.js';
import { inProcessFanOut, type FanOut } from './fan-out.js';
import { applyFeedBatch } from './feed-batch.js';
import { applyFeedEvent, feedEventTypes, type FeedContext, type FeedEvent } from './feed-handlers.js';
import { feedTunables, type FeedPacing, type FeedSettings } from './feed-options.js';
import type { FeedStore } from './feed-store.js';

// The 'feed' projection (docs/architecture.md "Projections"): home feeds with hybrid fan-out, over a FeedStore (Redis, or
// PostgreSQL where Redis is not configured). The checkpoint is saved in PostgreSQL AFTER the
// batch's writes, for both stores: even in PostgreSQL the writes are not one transaction with
// it, because the fan-out/backfill handshake (feed-handlers.ts) needs each write committed
// before the read that follows it. A crash between writes and checkpoint re-applies the batch,
// which changes nothing. Its one outside side effect is the push of a new post to its followers'
// open streams (fan-out.ts); a batch marked replay marks its chunks so, and nothing is pushed.

export interface FeedProjectionOptions extends FeedSettings, Partial<FeedPacing> {
  store: FeedStore;
  /** Where the checkpoint lives (projection_checkpoints). */
  checkpoints: pg.Pool;
  /** Default: in-process, straight into the store (pushing to `push`). */
  fanOut?: FanOut;
  /**
   * Where the default in-process fan-out tells followers' streams of a new post. A given `fanOut`
   * pushes by itself (inProcessFanOut(store, push), or the Kafka workers' deliverFanOutChunk).
   */
  push?: PushPublisher;
}

const handled = new Set<string>(feedEventTypes);

export const createFeedProjection = ({ store, checkpoints, fanOut, push, ...given }: FeedProjectionOptions): Projection => {
  const live: FeedContext = { store, fanOut: fanOut ?? inProcessFanOut(store, push), tunables: feedTunables(given), replay: false };
  const replaying: FeedContext = { ...live, replay: true };
  const feedEvent = (event: RecordedEvent) => ({ type: event.type, data: event.data }) as FeedEvent;
  return {
    name: 'feed',
    eventTypes: feedEventTypes,
    // The store first: a PostgreSQL store being built creates the checkpoint table unlogged,
    // with its own tables (build-schema.ts), which a logged one made first would defeat.
    setup: async () => {
      await store.setup();
      await ensureCheckpointTable(checkpoints);
    },
    apply: async (batch, checkpointKey) => {
      const context = batch.replay ? replaying : live;
      const events = batch.events.filter((event) => handled.has(event.type));
      // An erasure comes after its cascade in the log; applied last, it comes after it here too
      // (the batch's other streams are applied together, in rounds: feed-batch.ts).
      const rest = events.filter((event) => event.type !== 'AccountErased');
      await applyFeedBatch(
        context,
        rest.map(feedEvent),
        rest.map((event) => event.streamId),
      );
      for (const erasure of events.filter((event) => event.type === 'AccountErased')) await applyFeedEvent(context, feedEvent(erasure));
      // A checkpoint past writes a Redis failover could still lose would never see them again.
      await store.replicated();
      await saveCheckpoint(checkpoints, checkpointKey, batch.position);
    },
    checkpoint: (checkpointKey) => loadCheckpoint(checkpoints, checkpointKey),
  };
};
