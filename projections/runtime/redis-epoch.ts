import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type pg from 'pg';
import { START, type Position } from '../../events/index.js';
import { createUnderLock, inTransaction } from './postgres-transaction.js';
import type { Projection } from './projection.js';
import type { OpenReadModel } from './read-model.js';

// A Redis read model keeps its checkpoint in PostgreSQL (projection.ts), so a Redis that lost its
// data (restarted without AOF, evicted under maxmemory, flushed, replaced) would leave the
// projection "caught up" over nothing: follower sets gone, feeds empty, no story due (review F26).
// The guard: at setup each Redis read model writes an EPOCH, a random id, both under its Redis
// prefix and in PostgreSQL beside its checkpoint (projection_redis_epochs, in the generation's
// schema). The projector verifies them (projection.verify, runner.ts): a missing or different
// Redis epoch while the checkpoint is past START means the data is gone. Then, under a row lock,
// once: log it loudly, drop what is left of the read model (keys and checkpoints: its drop()),
// write a new epoch to both, and remember where the checkpoint was (rebuild_to). The projector
// rebuilds from START as a fresh projection does; until the checkpoint is back at rebuild_to,
// health() says 'rebuilding' and reads of the model are served degraded (read-api/degraded.ts),
// never empty as if caught up. Data lost before this guard ran for the first time (a deployment
// upgraded to it) cannot be told from data that is there: the first setup adopts what it finds.
//
// The same guard rebuilds a read model whose LAYOUT changed (ReadModelDefinition.layout: keys
// moved or added, so what a deployment holds cannot be read by the new code): the epoch's key
// names the layout, so new code finds no epoch under its key, and resets and rebuilds the read
// model as after a loss, reads degraded meanwhile. The log then says the layout changed.

export type RedisReadModelHealth = 'ok' | 'lost' | 'rebuilding';

/** Thrown by a guarded apply() when the Redis epoch changed: the runner retries, verify() then resets. */
export class RedisEpochChangedError extends Error {
  /** A backend event (app/http/backend-errors.ts): retried, never parked. */
  readonly backend = 'redis';
  constructor(readonly readModel: string) {
    super(`the Redis epoch of read model ${readModel} changed: Redis lost or replaced its data`);
    this.name = 'RedisEpochChangedError';
  }
}

export interface RedisEpochOptions {
  redis: Redis | Cluster;
  /** The generation's pool: its projection_redis_epochs table sits beside its checkpoints. */
  pool: pg.Pool;
  redisPrefix: string;
  /** The read model's name. */
  name: string;
  /** The read model's layout (ReadModelDefinition.layout; default 1). */
  layout?: number;
  /** Where the loss is reported (default console.error). */
  log?: (line: string) => void;
}

/**
 * The epoch's Redis key: under the read model's prefix, outside its own key patterns (its dump
 * leaves it out), naming the layout from the second on (the first's key predates layouts).
 */
export const epochKey = (redisPrefix: string, name: string, layout = 1): string => `${redisPrefix}epoch:${name}${layout === 1 ? '' : `@${layout}`}`;

const TABLE = `create table if not exists projection_redis_epochs (
  name text primary key,
  epoch text not null,
  rebuild_key text,
  rebuild_to text collate "C",
  updated_at timestamptz not null default now()
)`;

interface EpochRow {
  epoch: string;
  rebuild_key: string | null;
  rebuild_to: string | null;
}

/**
 * The read model with its projection guarded by the epoch, a health() for readers, and a drop()
 * that also removes the epoch.
 */
export const guardedByRedisEpoch = <Reader>(
  opened: OpenReadModel<Reader>,
  { redis, pool, redisPrefix, name, layout = 1, log = (line) => console.error(line) }: RedisEpochOptions,
): OpenReadModel<Reader> & { health(): Promise<RedisReadModelHealth> } => {
  const inner = opened.projection;
  const key = epochKey(redisPrefix, name, layout);
  const earlierKeys = Array.from({ length: layout - 1 }, (_, i) => epochKey(redisPrefix, name, i + 1));
  /** Whether Redis holds the stored epoch under an earlier layout's key: the data is there, in a shape this code cannot read. */
  const earlierLayout = async (epoch: string): Promise<number | null> => {
    if (earlierKeys.length === 0) return null;
    // One GET per key: the epoch keys of a read model's layouts sit in different Cluster slots.
    const found = await Promise.all(earlierKeys.map((earlier) => redis.get(earlier)));
    const index = found.lastIndexOf(epoch);
    return index === -1 ? null : index + 1;
  };
  // The epoch this instance last saw agree in both places; undefined before its first verify.
  let known: string | undefined;

  const stored = async (db: pg.Pool | pg.PoolClient, lock = false): Promise<EpochRow | null> => {
    const { rows } = await db.query<EpochRow>(
      `select epoch, rebuild_key, rebuild_to from projection_redis_epochs where name = $1${lock ? ' for update' : ''}`,
      [name],
    );
    return rows[0] ?? null;
  };

  /** Under the row's lock: adopt, or reset after a loss. True when the caller must re-read its checkpoint. */
  const settle = (checkpointKey: string): Promise<boolean> =>
    inTransaction(pool, async (client) => {
      const created = await client.query('insert into projection_redis_epochs (name, epoch) values ($1, $2) on conflict (name) do nothing', [name, randomUUID()]);
      const row = (await stored(client, true))!;
      const inRedis = await redis.get(key);
      if (created.rowCount === 1 || inRedis === row.epoch) {
        // First setup (adopt what Redis holds), or another instance has already settled it.
        if (inRedis !== row.epoch) await redis.set(key, row.epoch);
        const moved = known !== undefined && known !== row.epoch;
        known = row.epoch;
        return moved;
      }
      const checkpoint = await inner.checkpoint(checkpointKey);
      const epoch = randomUUID();
      const from = inRedis === null ? await earlierLayout(row.epoch) : null;
      if (checkpoint !== START && from !== null) {
        log(
          `[read model ${name}] LAYOUT CHANGED from ${from} to ${layout}: what Redis holds cannot be read by this version. ` +
            `Dropping it and rebuilding from the log (checkpoint was ${checkpoint}); reads are degraded until it has caught up. ` +
            '(`npm run replay -- rebuild` ahead of the deployment avoids the degraded time: README "Operations".)',
        );
        await opened.drop();
      } else if (checkpoint !== START) {
        log(
          `[read model ${name}] REDIS LOST ITS DATA: epoch ${inRedis ?? '(none)'} in Redis, ${row.epoch} in PostgreSQL, ` +
            `checkpoint ${checkpoint}. Dropping what is left and rebuilding from the log; reads are degraded until it has caught up. ` +
            'Run Redis with maxmemory-policy noeviction and appendonly yes (README "Operations").',
        );
        await opened.drop();
      }
      await client.query('update projection_redis_epochs set epoch = $2, rebuild_key = $3, rebuild_to = $4, updated_at = now() where name = $1', [
        name,
        epoch,
        checkpoint === START ? null : checkpointKey,
        checkpoint === START ? null : checkpoint,
      ]);
      await redis.set(key, epoch);
      await Promise.all(earlierKeys.map((earlier) => redis.del(earlier)));
      known = epoch;
      return true;
    });

  const projection: Projection = {
    name: inner.name,
    eventTypes: inner.eventTypes,
    async setup() {
      await inner.setup();
      await createUnderLock(pool, 'projection_redis_epochs', TABLE);
      // Adopts on the first setup ever; a loss is left to verify(), which only projectors run.
      if (!(await stored(pool))) await settle(inner.name);
    },
    async verify(checkpointKey) {
      const [inRedis, row] = await Promise.all([redis.get(key), stored(pool)]);
      if (row && inRedis === row.epoch) {
        const moved = known !== undefined && known !== row.epoch;
        known = row.epoch;
        return moved;
      }
      return settle(checkpointKey);
    },
    async apply(batch, checkpointKey) {
      // Writes onto a Redis that lost its data would be dropped by the reset anyway: stop first.
      if (known !== undefined && (await redis.get(key)) !== known) throw new RedisEpochChangedError(name);
      await inner.apply(batch, checkpointKey);
    },
    checkpoint: (checkpointKey) => inner.checkpoint(checkpointKey),
  };

  return {
    ...opened,
    projection,
    async health() {
      const [inRedis, row] = await Promise.all([redis.get(key), stored(pool)]);
      if (!row) return 'ok';
      if (inRedis !== row.epoch) return 'lost';
      if (row.rebuild_key !== null && row.rebuild_to !== null) {
        const checkpoint: Position = await inner.checkpoint(row.rebuild_key);
        if (checkpoint < row.rebuild_to) return 'rebuilding';
      }
      return 'ok';
    },
    async drop() {
      await opened.drop();
      await Promise.all([key, ...earlierKeys].map((each) => redis.del(each)));
      await pool.query('delete from projection_redis_epochs where name = $1', [name]).catch((error: { code?: string }) => {
        if (error.code !== '42P01') throw error; // never set up: no table
      });
    },
  };
};
