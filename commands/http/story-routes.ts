import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import type { CommandDeps } from '../deps.js';
import { deleteStory, postStory, viewStory } from '../stories/stories.js';
import { routesActingOn } from './acting-on.js';
import { contextOf } from './request-context.js';
import { position, storyBody, storyIdParam } from './schemas.js';

const storyResponse = { 200: z.object({ storyId: z.string(), position }) };

export const storyRoutes: FastifyPluginAsyncZod<CommandDeps> = async (app, deps) => {
  const onStory = routesActingOn(app, 'storyId', storyIdParam);

  app.post('/stories', {
    schema: { body: storyBody, response: { 201: z.object({ storyId: z.string(), expiresAt: z.string(), position }) } },
    handler: async (request, reply) =>
      reply.code(201).send(await postStory(deps, { authorId: actorOf(request), media: request.body.media }, contextOf(request))),
  });
  onStory('POST', '/stories/:storyId/view', storyResponse, (viewerId, storyId, ctx) => viewStory(deps, { viewerId, storyId }, ctx));
  onStory('DELETE', '/stories/:storyId', storyResponse, (actorId, storyId, ctx) => deleteStory(deps, { actorId, storyId }, ctx));
};
