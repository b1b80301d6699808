import type pg from 'pg';
import { createProfilesProjection } from './profiles/index.js';
import type { Projection } from './runtime/projection.js';

// The composition root's list of read models. Each entry is built from the backends it needs;
// the lead wires in the others (feed, stories, ...) as they land.

export interface ProjectionBackends {
  /** PostgreSQL of the read models (unqualified tables: the pool's search_path picks the schema). */
  pool: pg.Pool;
}

export const createProjections = (backends: ProjectionBackends): Projection[] => [createProfilesProjection(backends.pool)];

export * from './runtime/index.js';
export { createProfilesReader, PROFILES, type ProfilesReader } from './profiles/index.js';
