import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import { SUGGESTIONS_MAX } from '../../projections/profiles/reader-suggestions.js';
import type { ReadDeps } from '../deps.js';
import { presentUsers } from '../present.js';
import { readQuery, userSummary } from '../schemas.js';

const suggestionsQuery = readQuery.extend({ limit: z.coerce.number().int().min(1).max(SUGGESTIONS_MAX).default(20) });

export const suggestionRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  app.get('/suggestions/users', {
    config: { reads: ['profiles'] },
    schema: {
      querystring: suggestionsQuery,
      response: {
        200: z
          .object({ items: z.array(userSummary.extend({ mutualCount: z.number() })) })
          .describe('Accounts to follow: friends of friends, most mutual first; the most followed public accounts fill in when they are too few'),
      },
    },
    handler: async (request) => {
      const users = await deps.profiles.suggestedUsers(actorOf(request), request.query.limit);
      return { items: await presentUsers(deps, users) };
    },
  });
};
