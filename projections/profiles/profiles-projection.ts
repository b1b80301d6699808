import type pg from 'pg';
import { loadCheckpoint } from '../runtime/checkpoints-postgres.js';
import { applyInTransaction } from '../runtime/postgres-transaction.js';
import type { Projection } from '../runtime/projection.js';
import { foldBatch } from './batch-changes.js';
import { profileEventTypes } from './profile-events.js';
import { setupProfilesSchema } from './schema.js';
import { writeBatch } from './write-batch.js';

// Profiles (docs/architecture.md "Projections"): users, follows, blocks, posts, comments, likes and bookmarks with exact
// counts, in PostgreSQL. Each batch is one transaction with its checkpoint. It fires no side
// effects, so a replay runs exactly like live processing.
export const PROFILES = 'profiles';

export const createProfilesProjection = (pool: pg.Pool): Projection => ({
  name: PROFILES,
  eventTypes: profileEventTypes,
  setup: () => setupProfilesSchema(pool),
  apply: (batch, checkpointKey) =>
    applyInTransaction(pool, checkpointKey, batch.position, async (client) => {
      if (batch.events.length > 0) await writeBatch(client, foldBatch(batch.events));
    }),
  checkpoint: (checkpointKey) => loadCheckpoint(pool, checkpointKey),
});
