import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ReadDeps } from '../deps.js';
import { awaitFreshness } from '../freshness.js';
import { hydratedPost, page, pageQuery } from '../schemas.js';
import { viewerOf } from '../viewer.js';

export const feedRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  app.get('/api/v1/feed/home', {
    schema: { querystring: pageQuery, response: { 200: page(hydratedPost) } },
    handler: async (request, reply) => {
      await awaitFreshness(deps.freshness, reply, ['feed', 'profiles'], request.query.minPosition);
      const viewerId = viewerOf(request);
      const { cursor, limit } = request.query;
      const { postIds, nextCursor } = await deps.feed.homeFeed(viewerId, { cursor, limit });
      // Hydration skips deleted posts and, in the same query, whatever a projection still holds
      // of an author who has since gone private or blocked the viewer.
      return { items: await deps.profiles.visiblePosts(postIds, viewerId), nextCursor };
    },
  });
};
