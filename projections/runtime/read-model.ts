import type pg from 'pg';
import type { Projection } from './projection.js';

// A read model as the platform registers it: how to open one generation of it (its projection,
// its reader, and how to drop or dump what it stored). Registering a read model here is all the
// replay CLI needs to rebuild, verify and drop it; app/read-models.ts holds the registrations.

/** Where one generation of a read model keeps its data. */
export interface GenerationStorage {
  generation: number;
  /** A pool whose search_path is the generation's schema (the base schema for generation 1). */
  pool: pg.Pool;
  /** Prefix of every Redis key of the generation. */
  redisPrefix: string;
  /** Prefix of every Elasticsearch index, alias and template of the generation. */
  elasticsearchPrefix: string;
  /**
   * 'live' serves traffic and may have side effects (Kafka fan-out, pushes); 'rebuild' is filled
   * by the replay CLI and must write only into its own storage. 'build' is 'rebuild' for a new
   * generation filled from the start of the log (`replay rebuild`, `resume`, `verify`): it starts
   * empty and serves nothing until `finishBuild()` has run, so its storage may take a shape made
   * for a bulk load (unlogged tables, indexes built after the load: build-schema.ts; no refresh
   * in Elasticsearch), and its pool's transactions do not wait for the WAL flush.
   */
  mode: 'live' | 'rebuild' | 'build';
}

/** A read model's content in a canonical form, keyed so that two generations compare entry by entry. */
export type ReadModelDump = Map<string, string>;

export interface OpenReadModel<Reader> {
  projection: Projection;
  reader: Reader;
  /** Removes everything this generation stored that lives outside its PostgreSQL schema, and its tables. */
  drop(): Promise<void>;
  /** Everything this generation stored (checkpoints excepted), for `replay verify`. */
  dump(): Promise<ReadModelDump>;
  /**
   * Refreshes the query planner's statistics of what it stored (PostgreSQL tables), which a
   * rebuild calls as its tables grow: filled in bulk from empty, they would otherwise be planned
   * as if empty until autovacuum gets to them (never, where it is off).
   */
  analyze?(): Promise<void>;
  /**
   * For a generation opened in mode 'build': brings its storage to its serving shape (deferred
   * indexes built, tables logged, refresh on). The replay CLI calls it once the pass has caught up,
   * before switching reads to it. Idempotent; absent when the build shape is the serving one.
   */
  finishBuild?(): Promise<void>;
  /**
   * Whether readers may trust it now, for a store that can lose its data (a Redis read model:
   * redis-epoch.ts): 'lost' until the projector has reset it, 'rebuilding' until it has caught
   * up again. Rejects when the store cannot be reached.
   */
  health?(): Promise<'ok' | 'lost' | 'rebuilding'>;
}

export interface ReadModelDefinition<Reader = unknown> {
  /** The projection's name. */
  name: string;
  backend: 'postgresql' | 'redis' | 'elasticsearch';
  /**
   * The shape of what it stores (default 1). Raise it with a change that the data a deployment
   * holds cannot be read by (keys moved, a new key every read needs): a Redis read model is then
   * reset and rebuilt by its epoch guard on its next start (redis-epoch.ts), served degraded
   * meanwhile. PostgreSQL read models are rebuilt by `replay rebuild` (README "Upgrading").
   */
  layout?: number;
  open(storage: GenerationStorage): OpenReadModel<Reader>;
}
