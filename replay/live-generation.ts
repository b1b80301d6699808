import type pg from 'pg';
import { FIRST_GENERATION, liveGenerations } from '../projections/runtime/generations.js';

/** The generation serving `name` now (1 when no switch was ever recorded). */
export const liveGenerationOf = async (pool: pg.Pool, name: string): Promise<number> =>
  (await liveGenerations(pool)).get(name) ?? FIRST_GENERATION;
