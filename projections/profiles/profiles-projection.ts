import type pg from 'pg';
import { loadCheckpoint } from '../runtime/checkpoints-postgres.js';
import { applyInTransaction } from '../runtime/postgres-transaction.js';
import type { Projection } from '../runtime/projection.js';
import { changeEventTypes, foldChanges } from '../runtime/batch-changes.js';
import type { CardPublisher } from './card-bus.js';
import { isEmptyTouch, touchesOf } from './card-touches.js';
import { setUpPostgresSchema } from '../runtime/build-schema.js';
import type { GenerationStorage } from '../runtime/read-model.js';
import { PROFILES_SCHEMA } from './schema.js';
import { createDeferredCountTables } from './deferred-counts.js';
import type { WrittenRows } from './stored-state.js';
import { writeProfileChanges } from './write-batch.js';
import { affinityEventTypes, foldAffinity, writeAffinity } from './affinity.js';

// Profiles (docs/architecture.md "Projections"): users, follows, blocks, posts, comments, likes, bookmarks and collections with exact
// counts, in PostgreSQL. The "fold a batch, then write it in bulk" shape (runtime/projection.ts):
// each batch is folded by the register fold (runtime/batch-changes.ts), which reads every event
// this projection subscribes to, and written in one transaction with its checkpoint. Usernames
// come with UserRegistered, so the reservation stream is not read; stories belong to the stories
// read model, but their views feed the ranked feed's affinity (affinity.ts), written in the same
// transaction. Its one side effect: once a live batch is committed, what it touched is published
// to the API processes' card caches (card-touches.ts, card-bus.ts); a replay, or a generation
// being rebuilt (no `cards` given), publishes nothing.
export const PROFILES = 'profiles';

export interface ProfilesProjectionOptions {
  /** Where the touches of each committed live batch go (read-api/card-cache.ts evicts them). */
  cards?: CardPublisher | undefined;
  /** The generation's mode: 'build' sets up the bulk-load shape (runtime/build-schema.ts). */
  mode?: GenerationStorage['mode'];
  /**
   * For a generation being built, alone, from the start of the log: the keys it has written, so
   * that a batch reads back only rows it may have written (stored-state.ts), and defers the
   * counter moves of rows it changes nothing else of (deferred-counts.ts). Closed once others
   * may write into the generation too (finishBuild, after addDeferredCounts).
   */
  written?: WrittenRows | undefined;
}

export const createProfilesProjection = (pool: pg.Pool, { cards, mode = 'live', written }: ProfilesProjectionOptions = {}): Projection => ({
  name: PROFILES,
  eventTypes: [...new Set([...changeEventTypes, ...affinityEventTypes])],
  async setup() {
    await setUpPostgresSchema(pool, PROFILES_SCHEMA, mode);
    if (written) await createDeferredCountTables(pool);
  },
  async apply(batch, checkpointKey) {
    await applyInTransaction(pool, checkpointKey, batch.position, async (client) => {
      if (batch.events.length === 0) return;
      await writeProfileChanges(client, foldChanges(batch.events), written);
      // While `written` is open this pass is the generation's only writer.
      await writeAffinity(client, foldAffinity(batch.events), { alone: written?.open ?? false });
    });
    // After the commit, so that a cache reloading on the message reads the new rows.
    if (!cards || batch.replay || batch.events.length === 0) return;
    const touches = touchesOf(batch.events);
    if (!isEmptyTouch(touches)) await cards.publish(touches);
  },
  checkpoint: (checkpointKey) => loadCheckpoint(pool, checkpointKey),
});
