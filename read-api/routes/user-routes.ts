import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import { assertCanSeeContent, visibleProfileCard, visibleUser, withoutBlocked } from '../access.js';
import { sendJson, withMutualFollowers, withRelationship } from '../card-cache.js';
import { createMutualFollowersCache } from '../mutual-followers.js';
import type { ReadDeps } from '../deps.js';
import { presentPage, presentPosts, presentUsers } from '../present.js';
import { hydratedPost, page, pageQuery, profile, readQuery, userSummary, usernameParam } from '../schemas.js';

export const userRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  const mutuals = createMutualFollowersCache(() => deps.profiles);

  app.get('/users/:username', {
    config: { reads: ['profiles'] },
    schema: { params: usernameParam, querystring: readQuery, response: { 200: profile } },
    // From the card cache, sent as the card's JSON (the schema stays for the OpenAPI document).
    handler: async (request, reply) => {
      const readThrough = request.query.minPosition !== undefined;
      const viewerId = actorOf(request);
      const { json, relationship, userId } = await visibleProfileCard(deps, viewerId, request.params.username, readThrough);
      const followedBy = viewerId === userId ? { usernames: [], count: 0 } : readThrough ? await deps.profiles.mutualFollowers(viewerId, userId) : await mutuals.get(viewerId, userId);
      return sendJson(reply, withMutualFollowers(withRelationship(json, relationship), followedBy));
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

  // One's own blocks and mutes: the only way back to a blocked account (a block hides each
  // profile from the other), and the list a settings screen shows.
  for (const [path, list] of [['blocks', 'blockedBy'], ['mutes', 'mutedBy']] as const) {
    app.get(`/users/me/${path}`, {
      config: { reads: ['profiles'] },
      schema: { querystring: pageQuery, response: { 200: page(userSummary) } },
      handler: async (request) => {
        const { cursor, limit } = request.query;
        return presentPage(await deps.profiles[list](actorOf(request), { cursor, limit }), (items) => presentUsers(deps, items));
      },
    });
  }

  // The posts a user is tagged in: the user's profile must be the viewer's to see (a block either
  // way 404, private and not followed 403, as their own posts), and each post's author too (the
  // query's MAY_SEE): a private author's post shows only to that author's followers.
  app.get('/users/:username/tagged', {
    config: { reads: ['profiles'] },
    schema: { params: usernameParam, querystring: pageQuery, response: { 200: page(hydratedPost) } },
    handler: async (request) => {
      const viewerId = actorOf(request);
      const user = await visibleUser(deps, viewerId, request.params.username);
      await assertCanSeeContent(deps, viewerId, user.id, 'tagged posts');
      const { cursor, limit } = request.query;
      return presentPage(await deps.profiles.taggedPosts(user.id, viewerId, { cursor, limit }), (items) => presentPosts(deps, items));
    },
  });

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
