import type { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { EventStore } from '../events/index.js';
import { lagBetween } from '../projections/runtime/lag.js';
import type { Projection } from '../projections/runtime/projection.js';

// GET /ready: every configured backend reachable, and how far behind the log each projection is.
export interface Readiness {
  ready: boolean;
  backends: Record<string, 'up' | 'down'>;
  /** `parked`: events the projection set aside (docs/architecture.md "Parked events"); shown, not a reason for 503. */
  projections: { name: string; checkpoint: string; lag: number; parked: number }[];
}

export interface ReadinessSources {
  pool: pg.Pool;
  /** The read replica's pool (DATABASE_READ_URL), when there is one: reported as `postgresql-replica`. */
  readPool?: pg.Pool | null;
  redis: Redis | null;
  elasticsearch: ElasticsearchClient | null;
  /** Answers when a Kafka broker does (KAFKA_BROKERS set); fan-out waits while it is down. */
  kafka?: { probe(): Promise<void> } | null;
  /** The media storage (named by its adapter: `s3` or `local-storage`). */
  storage?: { backend: 'local' | 's3'; ping(): Promise<void> } | null;
  store: EventStore;
  projections: readonly Projection[];
  /** Parked events per projection name (the parked_events table). */
  parked?: () => Promise<Map<string, number>>;
}

const within = <T>(ms: number, promise: Promise<T>): Promise<T> =>
  Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

const probe = async (check: () => Promise<unknown>): Promise<'up' | 'down'> =>
  within(1_000, check()).then(
    () => 'up' as const,
    () => 'down' as const,
  );

export const checkReadiness = async ({ pool, readPool, redis, elasticsearch, kafka, storage, store, projections, parked }: ReadinessSources): Promise<Readiness> => {
  const backends: Readiness['backends'] = { postgresql: await probe(() => pool.query('select 1')) };
  if (readPool) backends['postgresql-replica'] = await probe(() => readPool.query('select 1'));
  if (redis) backends.redis = await probe(() => redis.ping());
  if (elasticsearch) backends.elasticsearch = await probe(() => elasticsearch.ping());
  if (kafka) backends.kafka = await probe(() => kafka.probe());
  if (storage) backends[storage.backend === 's3' ? 's3' : 'local-storage'] = await probe(() => storage.ping());
  const ready = Object.values(backends).every((state) => state === 'up');
  if (backends.postgresql === 'down') return { ready, backends, projections: [] };
  const head = await store.headPosition();
  const parkedCounts = (await parked?.()) ?? new Map<string, number>();
  const lags = await Promise.all(
    projections.map(async (projection) => {
      const checkpoint = await projection.checkpoint(projection.name);
      return { name: projection.name, checkpoint, lag: lagBetween(checkpoint, head), parked: parkedCounts.get(projection.name) ?? 0 };
    }),
  );
  return { ready, backends, projections: lags };
};
