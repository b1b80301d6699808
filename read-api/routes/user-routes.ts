import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import { assertCanSeeContent, visibleProfile, visibleUser, withoutBlocked } from '../access.js';
import type { ReadDeps } from '../deps.js';
import { presentedMedia } from '../media-presenter.js';
import { presentPage, presentUser, presentUsers } from '../present.js';
import { page, pageQuery, readQuery, userSummary, usernameParam } from '../schemas.js';

const profile = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  avatar: presentedMedia.nullable(),
  bio: z.string(),
  private: z.boolean(),
  followerCount: z.number(),
  followingCount: z.number(),
  postCount: z.number(),
  relationship: z.object({ following: z.boolean(), requested: z.boolean(), followedBy: z.boolean() }),
});

export const userRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  app.get('/users/:username', {
    config: { reads: ['profiles'] },
    schema: { params: usernameParam, querystring: readQuery, response: { 200: profile } },
    handler: async (request) => {
      const { user, relationship } = await visibleProfile(deps, actorOf(request), request.params.username);
      return { ...(await presentUser(deps, user)), relationship };
    },
  });

  for (const direction of ['followers', 'following'] as const) {
    app.get(`/users/:username/${direction}`, {
      config: { reads: ['profiles'] },
      schema: { params: usernameParam, querystring: pageQuery, response: { 200: page(userSummary) } },
      handler: async (request) => {
        const viewerId = actorOf(request);
        const user = await visibleUser(deps, viewerId, request.params.username);
        await assertCanSeeContent(deps, viewerId, user.id, direction);
        const { cursor, limit } = request.query;
        const users = await withoutBlocked(deps, viewerId, await deps.profiles[direction](user.id, { cursor, limit }));
        return presentPage(users, (items) => presentUsers(deps, items));
      },
    });
  }

  app.get('/follow-requests', {
    config: { reads: ['profiles'] },
    schema: {
      querystring: pageQuery,
      response: { 200: page(userSummary.extend({ requestedAt: z.string() })) },
    },
    handler: async (request) => {
      const { cursor, limit } = request.query;
      const viewerId = actorOf(request);
      const requests = await withoutBlocked(deps, viewerId, await deps.profiles.followRequests(viewerId, { cursor, limit }));
      return presentPage(requests, (items) => presentUsers(deps, items));
    },
  });
};
