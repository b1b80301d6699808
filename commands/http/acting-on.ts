import type { FastifyContextConfig } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import type { CommandContext } from '../command-context.js';
import { contextOf } from './request-context.js';

type CommandApp = Parameters<FastifyPluginAsyncZod>[0];

/** What the caller does to the thing the path names; its result is the answer, as is. */
export type Act = (actorId: string, target: string, ctx: CommandContext) => Promise<unknown>;

/**
 * The shape most command routes share: no body, the path names one thing (a post, a story, a
 * user), the signed-in caller acts on it, and the handler's result is the 200 answer. Returns a
 * function that declares one such route, so that each route file still lists every method and path.
 * `rateLimit` overrides the method's default class (app/http/rate-limit.ts defaultClassOf).
 */
export const routesActingOn =
  <Param extends string>(app: CommandApp, param: Param, params: z.ZodType<Record<Param, string>>) =>
  (method: 'POST' | 'DELETE', url: string, response: Record<200, z.ZodType>, act: Act, rateLimit?: FastifyContextConfig['rateLimit']): void => {
    app.route({
      method,
      url,
      ...(rateLimit && { config: { rateLimit } }),
      schema: { params, response },
      handler: (request) => {
        // Parsed by `params` before the handler runs; the type provider only loses that in a generic.
        const named = request.params as Record<Param, string>;
        return act(actorOf(request), named[param], contextOf(request));
      },
    });
  };
