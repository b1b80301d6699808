import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandDeps } from '../deps.js';
import { block, unblock } from '../graph/block.js';
import { follow, unfollow } from '../graph/follow.js';
import { answerFollowRequest } from '../graph/follow-requests.js';
import { actorIdOf, contextOf } from './request-context.js';
import { position, usernameParam } from './schemas.js';

const followResponse = { 200: z.object({ status: z.enum(['none', 'requested', 'following']), position }) };
const positionResponse = { 200: z.object({ position }) };

export const graphRoutes: FastifyPluginAsyncZod<CommandDeps> = async (app, deps) => {
  app.post('/api/v1/users/:username/follow', {
    schema: { params: usernameParam, response: followResponse },
    handler: (request) => follow(deps, actorIdOf(request), request.params.username, contextOf(request)),
  });
  app.delete('/api/v1/users/:username/follow', {
    schema: { params: usernameParam, response: followResponse },
    handler: (request) => unfollow(deps, actorIdOf(request), request.params.username, contextOf(request)),
  });

  for (const answer of ['approve', 'reject'] as const) {
    app.post(`/api/v1/follow-requests/:username/${answer}`, {
      schema: { params: usernameParam, response: positionResponse },
      handler: (request) => answerFollowRequest(deps, actorIdOf(request), request.params.username, answer, contextOf(request)),
    });
  }

  app.post('/api/v1/users/:username/block', {
    schema: { params: usernameParam, response: positionResponse },
    handler: (request) => block(deps, actorIdOf(request), request.params.username, contextOf(request)),
  });
  app.delete('/api/v1/users/:username/block', {
    schema: { params: usernameParam, response: positionResponse },
    handler: (request) => unblock(deps, actorIdOf(request), request.params.username, contextOf(request)),
  });
};
