import type pg from 'pg';
import { inTransaction } from './postgres-transaction.js';

// Which generation of each read model serves reads (docs/architecture.md "Projections", the replay CLI). A rebuild fills a
// new generation beside the live one (its own PostgreSQL schema, Redis key prefix and
// Elasticsearch indexes) and then switches with one UPDATE; API and projector processes watch
// this table and move over. A projection with no row at all is served by generation 1, the
// base locations, so a deployment that never rebuilt needs nothing here.

export type GenerationState = 'building' | 'live' | 'retired' | 'scratch';

export interface GenerationRecord {
  projection: string;
  generation: number;
  state: GenerationState;
  /** What `rebuild` was asked (batch size, whether to switch), so that `resume` can carry on. */
  settings: { batchSize: number; switch: boolean };
  createdAt: Date;
  switchedAt: Date | null;
}

export const FIRST_GENERATION = 1;

/** Notified on every change, so that watchers need not wait for their next poll. */
export const GENERATIONS_CHANNEL = 'projection_generations';

const CREATE = `
create table if not exists projection_generations (
  projection text not null,
  generation integer not null,
  state text not null check (state in ('building', 'live', 'retired', 'scratch')),
  settings jsonb not null default '{}',
  created_at timestamptz not null default now(),
  switched_at timestamptz,
  primary key (projection, generation)
);
create unique index if not exists projection_generations_one_live on projection_generations (projection) where state = 'live';
create unique index if not exists projection_generations_one_build on projection_generations (projection) where state = 'building'`;

export class RebuildInProgressError extends Error {
  constructor(readonly projection: string) {
    super(`a rebuild of ${projection} is already in progress: run 'resume', or 'drop-old' to abandon it`);
    this.name = 'RebuildInProgressError';
  }
}

export const ensureGenerationsTable = async (db: pg.Pool): Promise<void> => {
  try {
    await db.query(CREATE);
  } catch (error) {
    // Two processes starting at once: the loser's error means the table is there.
    if (!['42P07', '23505'].includes((error as { code?: string }).code ?? '')) throw error;
  }
};

const toRecord = (row: Record<string, unknown>): GenerationRecord => ({
  projection: row.projection as string,
  generation: row.generation as number,
  state: row.state as GenerationState,
  settings: row.settings as GenerationRecord['settings'],
  createdAt: row.created_at as Date,
  switchedAt: (row.switched_at as Date | null) ?? null,
});

export const listGenerations = async (db: pg.Pool): Promise<GenerationRecord[]> => {
  const { rows } = await db.query('select * from projection_generations order by projection, generation');
  return rows.map(toRecord);
};

/** The live generation of every projection that has one recorded; the others serve generation 1. */
export const liveGenerations = async (db: pg.Pool): Promise<Map<string, number>> => {
  const { rows } = await db.query<{ projection: string; generation: number }>(
    "select projection, generation from projection_generations where state = 'live'",
  );
  return new Map(rows.map((row) => [row.projection, row.generation]));
};

/** Records a new generation after every existing one (generation 1 counts as existing). */
export const addGeneration = async (
  db: pg.Pool,
  projection: string,
  state: 'building' | 'scratch',
  settings: GenerationRecord['settings'],
): Promise<number> => {
  try {
    const { rows } = await db.query<{ generation: number }>(
      `insert into projection_generations (projection, generation, state, settings)
       select $1, greatest(coalesce(max(generation), 0), $4) + 1, $2, $3 from projection_generations where projection = $1
       returning generation`,
      [projection, state, settings, FIRST_GENERATION],
    );
    return rows[0]!.generation;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new RebuildInProgressError(projection);
    throw error;
  }
};

/**
 * Makes `generation` the live one and retires the previous one, in one transaction, then tells
 * the watchers. Readers see either the old generation or the new one, never a mix.
 */
export const switchLive = (db: pg.Pool, projection: string, generation: number): Promise<void> =>
  inTransaction(db, async (client) => {
    // Generation 1 served without a row: record it, so that it is retired like any other.
    await client.query(
      `insert into projection_generations (projection, generation, state, settings)
       select $1, $2, 'live', '{}' where not exists (select 1 from projection_generations where projection = $1 and state = 'live')
       on conflict do nothing`,
      [projection, FIRST_GENERATION],
    );
    await client.query("update projection_generations set state = 'retired', switched_at = now() where projection = $1 and state = 'live'", [projection]);
    await client.query("update projection_generations set state = 'live', switched_at = now() where projection = $1 and generation = $2", [projection, generation]);
    await client.query(`notify ${GENERATIONS_CHANNEL}`);
  });

export const setGenerationState = async (db: pg.Pool, projection: string, generation: number, state: GenerationState): Promise<void> => {
  await db.query('update projection_generations set state = $3 where projection = $1 and generation = $2', [projection, generation, state]);
};

export const forgetGeneration = async (db: pg.Pool, projection: string, generation: number): Promise<void> => {
  await db.query('delete from projection_generations where projection = $1 and generation = $2', [projection, generation]);
};
