import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Cluster, Redis } from 'ioredis';
import { AppError } from '../kernel/errors.js';
import { decodeFeedCursor, encodeFeedCursor } from '../projections/feed/feed-cursor.js';
import { isUuid } from '../projections/profiles/keyset.js';
import { pageLimit, type PageRequest } from '../projections/runtime/page.js';
import type { ReadDeps } from './deps.js';
import { presentPosts } from './present.js';

// Degraded, not down (docs/architecture.md "Degraded reads"). While Redis cannot answer for a
// read model (unreachable, or it lost its data and the projector is rebuilding it: F26,
// projections/runtime/redis-epoch.ts), the reads that matter most answer 200 from PostgreSQL,
// marked with the header `x-degraded: <what>`:
// - the home feed by pull over the profiles read model (reader-pull-feed.ts): the followed and own
//   posts, newest first, one indexed query a page. Its cursor is the Redis feed's own
//   ((createdAt ms, postId), same order), so a client paging across an outage or a recovery goes
//   on with the cursor it holds, whichever path answers the next page;
// - the stories tray, empty: stories live in Redis only (a PostgreSQL shadow would write every
//   story, view and expiry twice to serve a tray that is gone in a day anyway), so the honest
//   answer is "none to show now", marked, never an error that blanks the app's home screen.
// Everything else that needs Redis answers 503 naming it (app/http/error-handler.ts), writes too.
// A route opts in with `...degradedTo(...)` beside its handler, which stays as it is: a preHandler
// answers from the fallback when Redis is known to be away (no wait on a dead connection), and
// the route's error handler does when a Redis call fails mid-request.

/** The response header naming what a degraded answer left out (documented in the README and OpenAPI). */
export const DEGRADED_HEADER = 'x-degraded';

const CHECK_INTERVAL_MS = 1_000;

export interface DegradedReads {
  /** Whether reads of `model` must not go to Redis now. */
  unavailable(model: string): boolean;
  /** Whether `error` is Redis failing (the composition root knows the backends' errors: app/http/backend-errors.ts). */
  isRedisFailure(error: unknown): boolean;
  stop(): void;
}

export interface DegradedReadsOptions {
  redis: Redis | Cluster;
  /** The Redis read models, and whether each may be trusted (LiveReadModels.health). */
  models: readonly string[];
  health: (model: string) => Promise<'ok' | 'lost' | 'rebuilding'> | null;
  isRedisFailure: (error: unknown) => boolean;
  intervalMs?: number;
}

/** Watches Redis and the health of each Redis read model, so that a read knows at once where to go. */
export const watchRedisReadModels = ({ redis, models, health, isRedisFailure, intervalMs = CHECK_INTERVAL_MS }: DegradedReadsOptions): DegradedReads => {
  const untrusted = new Set<string>();
  const check = async () => {
    for (const model of models) {
      const healthy = await (health(model) ?? Promise.resolve('ok')).catch(() => 'unreachable');
      if (healthy === 'ok') untrusted.delete(model);
      else untrusted.add(model);
    }
  };
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= check().finally(() => (running = null));
  };
  // A Redis that comes back may have come back empty: none of its read models is trusted again
  // before a check has found it whole (its epoch: projections/runtime/redis-epoch.ts).
  const lost = () => models.forEach((model) => untrusted.add(model));
  redis.on('close', lost);
  redis.on('ready', tick);
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    // ioredis says 'ready' only while connected.
    unavailable: (model) => redis.status !== 'ready' || untrusted.has(model),
    isRedisFailure,
    stop: () => {
      clearInterval(timer);
      redis.off('close', lost);
      redis.off('ready', tick);
    },
  };
};

/**
 * A route's fallback while `models` (the first names it in the header) cannot be read from Redis:
 * spread into the route's options beside its handler.
 */
export const degradedTo = (deps: Pick<ReadDeps, 'degraded'>, models: readonly [string, ...string[]], fallback: (request: FastifyRequest) => Promise<unknown>) => ({
  // Callback style: the hot path (Redis up) costs no promise, where an async hook costs one per request.
  preHandler: (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    if (!models.some((model) => deps.degraded?.unavailable(model))) return done();
    fallback(request).then((answer) => void reply.header(DEGRADED_HEADER, models[0]).send(answer), done);
  },
  errorHandler: async (error: Error, request: FastifyRequest, reply: FastifyReply) => {
    // Anything but Redis failing goes on to the application's error handler.
    if (!deps.degraded?.isRedisFailure(error)) throw error;
    request.log.warn({ err: error }, `Redis failed: ${request.url} answered degraded`);
    const answer = await fallback(request);
    reply.code(200).header(DEGRADED_HEADER, models[0]);
    return answer;
  },
});

/** The home feed by pull (projections/profiles/reader-pull-feed.ts), paged with the Redis feed's cursor. */
export const homeFeedByPull = async (deps: Pick<ReadDeps, 'profiles' | 'media'>, viewerId: string, request: PageRequest) => {
  const limit = pageLimit(request);
  const after = request.cursor === undefined ? null : decodeFeedCursor(request.cursor);
  // Feed entries are post ids: a cursor naming anything else was made by hand.
  if (after && !isUuid(after.postId)) throw new AppError('INVALID_CURSOR');
  const found = await deps.profiles.pullFeed(viewerId, after && { createdAtMs: after.score, postId: after.postId }, limit + 1);
  const page = found.slice(0, limit);
  const last = page.at(-1);
  return {
    items: await presentPosts(deps, page),
    nextCursor: found.length > limit && last ? encodeFeedCursor({ score: Date.parse(last.createdAt), postId: last.id }) : null,
  };
};

/** The stories tray while Redis cannot answer: empty (stories live in Redis only; see the header). */
export const emptyStoriesTray = () => Promise.resolve({ items: [] });
