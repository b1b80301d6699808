import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import type { CommandDeps } from '../deps.js';
import { deleteStory, postStory, viewStory } from '../stories/stories.js';
import { contextOf } from './request-context.js';
import { position, storyBody, storyIdParam } from './schemas.js';

const storyResponse = { 200: z.object({ storyId: z.string(), position }) };

export const storyRoutes: FastifyPluginAsyncZod<CommandDeps> = async (app, deps) => {
  app.post('/stories', {
    schema: { body: storyBody, response: { 201: z.object({ storyId: z.string(), expiresAt: z.string(), position }) } },
    handler: async (request, reply) =>
      reply.code(201).send(await postStory(deps, actorOf(request), request.body.media, contextOf(request))),
  });
  app.post('/stories/:storyId/view', {
    schema: { params: storyIdParam, response: storyResponse },
    handler: (request) => viewStory(deps, actorOf(request), request.params.storyId, contextOf(request)),
  });
  app.delete('/stories/:storyId', {
    schema: { params: storyIdParam, response: storyResponse },
    handler: (request) => deleteStory(deps, actorOf(request), request.params.storyId, contextOf(request)),
  });
};
