import type pg from 'pg';
import { loadCheckpoint } from '../runtime/checkpoints-postgres.js';
import { applyInTransaction } from '../runtime/postgres-transaction.js';
import type { Projection } from '../runtime/projection.js';
import { changeEventTypes, foldChanges } from '../runtime/batch-changes.js';
import { setupProfilesSchema } from './schema.js';
import { writeProfileChanges } from './write-batch.js';

// Profiles (docs/architecture.md "Projections"): users, follows, blocks, posts, comments, likes and bookmarks with exact
// counts, in PostgreSQL. The "fold a batch, then write it in bulk" shape (runtime/projection.ts):
// each batch is folded by the register fold (runtime/batch-changes.ts), which reads every event
// this projection subscribes to, and written in one transaction with its checkpoint. Usernames
// come with UserRegistered, so the reservation stream is not read; stories belong to the stories
// read model. It fires no side effects, so a replay runs exactly like live processing.
export const PROFILES = 'profiles';

export const createProfilesProjection = (pool: pg.Pool): Projection => ({
  name: PROFILES,
  eventTypes: changeEventTypes,
  setup: () => setupProfilesSchema(pool),
  apply: (batch, checkpointKey) =>
    applyInTransaction(pool, checkpointKey, batch.position, async (client) => {
      if (batch.events.length > 0) await writeProfileChanges(client, foldChanges(batch.events));
    }),
  checkpoint: (checkpointKey) => loadCheckpoint(pool, checkpointKey),
});
