import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assertCanSeeContent, onlyVisible, visibleUser, withoutBlocked } from '../access.js';
import type { ReadDeps } from '../deps.js';
import { awaitFreshness } from '../freshness.js';
import { hydratedPost, page, pageQuery, readQuery, userSummary, usernameParam } from '../schemas.js';
import { viewerOf } from '../viewer.js';

const profile = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  bio: z.string(),
  private: z.boolean(),
  followerCount: z.number(),
  followingCount: z.number(),
  postCount: z.number(),
  relationship: z.object({ following: z.boolean(), requested: z.boolean(), followedBy: z.boolean() }),
});

export const userRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  app.get('/api/v1/users/:username', {
    schema: { params: usernameParam, querystring: readQuery, response: { 200: profile } },
    handler: async (request, reply) => {
      await awaitFreshness(deps.freshness, reply, ['profiles'], request.query.minPosition);
      const viewerId = viewerOf(request);
      const user = await visibleUser(deps, viewerId, request.params.username);
      const relationship = await deps.profiles.relationship(viewerId, user.id);
      return { ...user, relationship };
    },
  });

  for (const direction of ['followers', 'following'] as const) {
    app.get(`/api/v1/users/:username/${direction}`, {
      schema: { params: usernameParam, querystring: pageQuery, response: { 200: page(userSummary) } },
      handler: async (request, reply) => {
        await awaitFreshness(deps.freshness, reply, ['profiles'], request.query.minPosition);
        const viewerId = viewerOf(request);
        const user = await visibleUser(deps, viewerId, request.params.username);
        await assertCanSeeContent(deps, viewerId, user.id, direction);
        const { cursor, limit } = request.query;
        return withoutBlocked(deps, viewerId, await deps.profiles[direction](user.id, { cursor, limit }));
      },
    });
  }

  app.get('/api/v1/follow-requests', {
    schema: {
      querystring: pageQuery,
      response: { 200: page(userSummary.extend({ requestedAt: z.string() })) },
    },
    handler: async (request, reply) => {
      await awaitFreshness(deps.freshness, reply, ['profiles'], request.query.minPosition);
      const { cursor, limit } = request.query;
      const viewerId = viewerOf(request);
      return withoutBlocked(deps, viewerId, await deps.profiles.followRequests(viewerId, { cursor, limit }));
    },
  });

  app.get('/api/v1/feed/user/:username', {
    schema: { params: usernameParam, querystring: pageQuery, response: { 200: page(hydratedPost) } },
    handler: async (request, reply) => {
      await awaitFreshness(deps.freshness, reply, ['profiles'], request.query.minPosition);
      const viewerId = viewerOf(request);
      const user = await visibleUser(deps, viewerId, request.params.username);
      await assertCanSeeContent(deps, viewerId, user.id, 'posts');
      const { cursor, limit } = request.query;
      const posts = await deps.profiles.userPosts(user.id, viewerId, { cursor, limit });
      return { items: await onlyVisible(deps, viewerId, posts.items), nextCursor: posts.nextCursor };
    },
  });
};
