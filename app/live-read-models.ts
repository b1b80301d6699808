import type pg from 'pg';
import type { GenerationCatalog } from '../projections/runtime/generation-catalog.js';
import { ensureGenerationsTable, FIRST_GENERATION, liveGenerations } from '../projections/runtime/generations.js';
import type { Projection } from '../projections/runtime/projection.js';
import type { ReadModelDefinition } from '../projections/runtime/read-model.js';
import type { Readers } from './read-models.js';

// The generation of each read model that serves this process, following switches made by the
// replay CLI (projection_generations). Readers are looked up per call, so a request that started
// on one generation finishes its call there and the next call sees the new one; a generation is
// only switched to once it has caught up with the log, so no read sees it empty.

export interface LiveReadModels {
  /** The live generation's reader of each read model. */
  readonly readers: Readers;
  /** The live generation's projection of each read model, in registration order. */
  projections(): Projection[];
  /** Which generation serves each read model. */
  generations(): Record<string, number>;
  /** Which backend serves each read model, for start-up logs. */
  readonly backends: Record<string, ReadModelDefinition['backend']>;
  /**
   * Whether the live generation of `name` may be trusted now (a Redis read model: its epoch,
   * projections/runtime/redis-epoch.ts); null for read models that cannot lose their data.
   */
  health(name: string): Promise<'ok' | 'lost' | 'rebuilding'> | null;
  /** Re-reads the registry and moves to newly live generations; returns the names that moved. */
  refresh(): Promise<string[]>;
  /** Called after a read model moved to a new generation (its projection already set up). */
  onSwitch(listener: (name: string, projection: Projection) => void): void;
  close(): Promise<void>;
}

interface Serving {
  generation: number;
  projection: Projection;
  reader: unknown;
  health: (() => Promise<'ok' | 'lost' | 'rebuilding'>) | undefined;
}

export interface LiveReadModelsOptions {
  /**
   * The pool is a read replica's (app/read-replica.ts): nothing is created nor set up there (a hot
   * standby refuses writes; the primary's read models, opened first, create the tables and the
   * WAL brings them), and the generations followed are those the replica has replayed.
   */
  readReplica?: boolean;
}

export const openLiveReadModels = async (pool: pg.Pool, catalog: GenerationCatalog, watchIntervalMs: number, { readReplica = false }: LiveReadModelsOptions = {}): Promise<LiveReadModels> => {
  if (!readReplica) await ensureGenerationsTable(pool);
  const serving = new Map<string, Serving>();
  const listeners: ((name: string, projection: Projection) => void)[] = [];

  const serve = async (name: string, generation: number): Promise<Serving> => {
    const opened = await catalog.open(name, generation, 'live');
    if (!readReplica) await opened.projection.setup();
    return { generation, projection: opened.projection, reader: opened.reader, health: opened.health?.bind(opened) };
  };

  const live = await liveGenerations(pool);
  // One after the other: concurrent CREATE TABLE IF NOT EXISTS of a shared table (checkpoints) races.
  for (const { name } of catalog.definitions) serving.set(name, await serve(name, live.get(name) ?? FIRST_GENERATION));

  // One refresh at a time, and a refresh asked for while another runs runs after it (so that it
  // sees a switch the running one may have read too early).
  let queue: Promise<unknown> = Promise.resolve();
  const refresh = async (): Promise<string[]> => {
    const now = await liveGenerations(pool);
    const moved: string[] = [];
    for (const { name } of catalog.definitions) {
      const generation = now.get(name) ?? FIRST_GENERATION;
      if (serving.get(name)!.generation === generation) continue;
      const next = await serve(name, generation);
      serving.set(name, next);
      moved.push(name);
      for (const listener of listeners) listener(name, next.projection);
    }
    return moved;
  };
  const refreshOnce = (): Promise<string[]> => {
    const run = queue.then(refresh);
    queue = run.catch(() => undefined);
    return run;
  };
  const timer = setInterval(() => void refreshOnce().catch(() => undefined), watchIntervalMs);
  timer.unref();

  // A getter per read model, so that a switch reaches every holder of `readers`.
  const readers = Object.defineProperties(
    {},
    Object.fromEntries(catalog.definitions.map(({ name }) => [name, { get: () => serving.get(name)!.reader, enumerable: true }])),
  ) as Readers;

  return {
    readers,
    projections: () => catalog.definitions.map(({ name }) => serving.get(name)!.projection),
    generations: () => Object.fromEntries([...serving].map(([name, { generation }]) => [name, generation])),
    health: (name) => serving.get(name)?.health?.() ?? null,
    backends: Object.fromEntries(catalog.definitions.map((definition) => [definition.name, definition.backend])),
    refresh: refreshOnce,
    onSwitch: (listener) => void listeners.push(listener),
    async close() {
      clearInterval(timer);
      await queue;
      await catalog.close();
    },
  };
};
