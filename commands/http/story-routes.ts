import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandDeps } from '../deps.js';
import { deleteStory, postStory, viewStory } from '../stories/stories.js';
import { actorIdOf, contextOf } from './request-context.js';
import { position, storyBody, storyIdParam } from './schemas.js';

const storyResponse = { 200: z.object({ storyId: z.string(), position }) };

export const storyRoutes: FastifyPluginAsyncZod<CommandDeps> = async (app, deps) => {
  app.post('/api/v1/stories', {
    schema: { body: storyBody, response: { 201: z.object({ storyId: z.string(), expiresAt: z.string(), position }) } },
    handler: async (request, reply) =>
      reply.code(201).send(await postStory(deps, actorIdOf(request), request.body.media, contextOf(request))),
  });
  app.post('/api/v1/stories/:storyId/view', {
    schema: { params: storyIdParam, response: storyResponse },
    handler: (request) => viewStory(deps, actorIdOf(request), request.params.storyId, contextOf(request)),
  });
  app.delete('/api/v1/stories/:storyId', {
    schema: { params: storyIdParam, response: storyResponse },
    handler: (request) => deleteStory(deps, actorIdOf(request), request.params.storyId, contextOf(request)),
  });
};
