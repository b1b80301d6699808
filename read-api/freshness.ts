import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

// Read-your-writes (docs/architecture.md "Read path"): a command answers with the global position
// of its last event; a query that passes it back as ?minPosition= waits, bounded, until the
// projections its route reads (`config.reads`) have applied that position. If they have not by
// then, it answers anyway, with a header naming the projections that are behind, so that the
// client knows the data is stale.
export const STALE_HEADER = 'x-stale-projections';

/** The projections a read route may wait for (a misspelt name would never be waited for). */
export type ProjectionName = 'profiles' | 'feed' | 'stories' | 'search' | 'notifications' | 'media';

export interface Freshness {
  /** Resolves with the projections (of those named) still behind `position` after waiting up to the bound. */
  behind(projections: readonly string[], position: string): Promise<string[]>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The projections the route reads: ?minPosition= waits for these. Routes that read none leave it out. */
    reads?: readonly ProjectionName[];
  }
}

/** The hook behind `config.reads`: after validation, so `minPosition` is the query schema's. */
const readYourWritesPlugin: FastifyPluginAsync<{ freshness: Freshness }> = async (app, { freshness }) => {
  app.addHook('preHandler', async (request, reply) => {
    const projections = request.routeOptions.config.reads;
    if (!projections) return;
    const { minPosition } = request.query as { minPosition?: string };
    if (!minPosition) return;
    const behind = await freshness.behind(projections, minPosition);
    if (behind.length > 0) reply.header(STALE_HEADER, behind.join(','));
  });
};

export const readYourWrites = fp(readYourWritesPlugin, { name: 'instagram-freshness', fastify: '5.x' });
