import type { Redis } from 'ioredis';
import pg from 'pg';
import { FIRST_GENERATION } from './generations.js';
import type { GenerationStorage, OpenReadModel, ReadModelDefinition } from './read-model.js';
import { guardedByRedisEpoch } from './redis-epoch.js';

// Where each generation of each registered read model lives, and opening or dropping one.
// Generation 1 is the base locations (the connection's schema, the configured Redis and
// Elasticsearch prefixes): a deployment that never rebuilt looks exactly as before. Generation n
// of read model `name` gets the schema `<base schema>_g<n>_<name>`, the Redis prefix
// `<prefix>g<n>.<name>:` and the Elasticsearch prefix `<prefix>g<n>.<name>-`, so that
// generations, and read models within one, never share a table, key or index.

export interface CatalogOptions {
  /** The platform's pool: its search_path's first schema is the base schema. */
  pool: pg.Pool;
  redisPrefix: string;
  elasticsearchPrefix: string;
  definitions: readonly ReadModelDefinition[];
  /** The Redis the read models with backend 'redis' write to: each is guarded by its epoch (redis-epoch.ts). */
  redis?: Redis | null;
  /** Connections of each generation's own pool (default: half the base pool's, at least 2). */
  generationPoolSize?: number;
  /**
   * The pool is a read replica's (a hot standby, app/read-replica.ts): no schema is created (the
   * primary's catalog creates them, and the WAL brings them), and each generation's pool is
   * passed through `adopt` as the base pool was.
   */
  readReplica?: { adopt(pool: pg.Pool): pg.Pool };
}

export interface GenerationCatalog {
  readonly definitions: readonly ReadModelDefinition[];
  /** The definition of `name`; throws UnknownReadModelError. */
  definition(name: string): ReadModelDefinition;
  /** Opens a generation (creating its schema when needed); its projection's setup() is the caller's. */
  open(name: string, generation: number, mode: GenerationStorage['mode']): Promise<OpenReadModel<unknown>>;
  /** Removes every table, key and index of a generation. */
  drop(name: string, generation: number): Promise<void>;
  /** Closes the pools opened for generations. */
  close(): Promise<void>;
}

export class UnknownReadModelError extends Error {
  constructor(
    readonly names: readonly string[],
    readonly known: readonly string[],
  ) {
    super(`unknown projection(s) ${names.join(', ')}; known: ${known.join(', ')}`);
    this.name = 'UnknownReadModelError';
  }
}

/** The schema of generation `generation` (> 1) of read model `name`, beside the base schema. */
export const generationSchema = (baseSchema: string, name: string, generation: number): string =>
  `${baseSchema}_g${generation}_${name.replace(/[^a-z0-9_]/g, '_')}`;

export const createGenerationCatalog = (options: CatalogOptions): GenerationCatalog => {
  const pools = new Map<string, pg.Pool>();
  let baseSchema: Promise<string> | undefined;
  const schemaOf = async (name: string, generation: number) => {
    baseSchema ??= options.pool.query<{ schema: string }>('select current_schema() as schema').then(({ rows }) => rows[0]!.schema);
    return generationSchema(await baseSchema, name, generation);
  };

  const poolFor = async (schema: string): Promise<pg.Pool> => {
    const existing = pools.get(schema);
    if (existing) return existing;
    if (!options.readReplica) await options.pool.query(`create schema if not exists ${schema}`);
    // Every connection works in the generation's schema; public stays reachable for extensions.
    // It keeps the base pool's timeouts: the API's generations answer clients as its own pool does.
    const created = new pg.Pool({ ...timeoutsOf(options.pool), connectionString: withSearchPath(options.pool, schema), max: options.generationPoolSize ?? halfOf(options.pool) });
    const pool = options.readReplica ? options.readReplica.adopt(created) : created;
    pool.on('error', () => undefined);
    pools.set(schema, pool);
    return pool;
  };

  const definition = (name: string) => {
    const found = options.definitions.find((candidate) => candidate.name === name);
    if (!found) throw new UnknownReadModelError([name], options.definitions.map((d) => d.name));
    return found;
  };

  const storageOf = async (name: string, generation: number, mode: GenerationStorage['mode']): Promise<GenerationStorage> =>
    generation === FIRST_GENERATION
      ? { generation, mode, pool: options.pool, redisPrefix: options.redisPrefix, elasticsearchPrefix: options.elasticsearchPrefix }
      : {
          generation,
          mode,
          pool: await poolFor(await schemaOf(name, generation)),
          redisPrefix: `${options.redisPrefix}g${generation}.${name}:`,
          elasticsearchPrefix: `${options.elasticsearchPrefix}g${generation}.${name}-`,
        };

  const open = async (name: string, generation: number, mode: GenerationStorage['mode']): Promise<OpenReadModel<unknown>> => {
    const found = definition(name);
    const storage = await storageOf(name, generation, mode);
    const opened = found.open(storage);
    // A Redis read model can lose its data behind its checkpoint's back: its epoch tells (F26).
    return found.backend === 'redis' && options.redis ? guardedByRedisEpoch(opened, { redis: options.redis, pool: storage.pool, redisPrefix: storage.redisPrefix, name, layout: found.layout ?? 1 }) : opened;
  };

  return {
    definitions: options.definitions,
    definition,
    open,
    async drop(name, generation) {
      const opened = await open(name, generation, 'rebuild');
      await opened.drop();
      if (generation === FIRST_GENERATION) return;
      const schema = await schemaOf(name, generation);
      await pools.get(schema)?.end();
      pools.delete(schema);
      await options.pool.query(`drop schema if exists ${schema} cascade`);
    },
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.end()));
      pools.clear();
    },
  };
};

// Every read model of a rebuilt generation has a pool of its own (its schema is the connection's
// search_path), so the connections a process may open grow with them: half the base pool each
// keeps a process with all six rebuilt within a few times its base pool (docs/architecture.md).
const halfOf = (base: pg.Pool): number => Math.max(2, Math.ceil(((base.options as pg.PoolConfig).max ?? 10) / 2));

/** The connect, statement and idle-in-transaction timeouts the base pool was created with, and its application_name. */
const timeoutsOf = (base: pg.Pool): pg.PoolConfig => {
  const { connectionTimeoutMillis, statement_timeout, idle_in_transaction_session_timeout, application_name } = base.options as pg.PoolConfig;
  return { connectionTimeoutMillis, statement_timeout, idle_in_transaction_session_timeout, ...(application_name && { application_name }) };
};

/** The base pool's connection string with the search_path set to `schema` (then public). */
const withSearchPath = (base: pg.Pool, schema: string): string => {
  const { connectionString } = base.options as { connectionString?: string };
  if (!connectionString) throw new Error('the generation catalog needs a pool created from a connection string');
  const url = new URL(connectionString);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  return url.toString();
};
