import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import type { CommandDeps } from '../deps.js';
import { block, unblock } from '../graph/block.js';
import { follow, unfollow } from '../graph/follow.js';
import { answerFollowRequest } from '../graph/follow-requests.js';
import { contextOf } from './request-context.js';
import { position, usernameParam } from './schemas.js';

const followResponse = { 200: z.object({ status: z.enum(['none', 'requested', 'following']), position }) };
const positionResponse = { 200: z.object({ position }) };

export const graphRoutes: FastifyPluginAsyncZod<CommandDeps> = async (app, deps) => {
  app.post('/users/:username/follow', {
    schema: { params: usernameParam, response: followResponse },
    handler: (request) => follow(deps, actorOf(request), request.params.username, contextOf(request)),
  });
  app.delete('/users/:username/follow', {
    schema: { params: usernameParam, response: followResponse },
    handler: (request) => unfollow(deps, actorOf(request), request.params.username, contextOf(request)),
  });

  for (const answer of ['approve', 'reject'] as const) {
    app.post(`/follow-requests/:username/${answer}`, {
      schema: { params: usernameParam, response: positionResponse },
      handler: (request) => answerFollowRequest(deps, actorOf(request), request.params.username, answer, contextOf(request)),
    });
  }

  app.post('/users/:username/block', {
    schema: { params: usernameParam, response: positionResponse },
    handler: (request) => block(deps, actorOf(request), request.params.username, contextOf(request)),
  });
  app.delete('/users/:username/block', {
    schema: { params: usernameParam, response: positionResponse },
    handler: (request) => unblock(deps, actorOf(request), request.params.username, contextOf(request)),
  });
};
