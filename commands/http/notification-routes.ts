import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import type { CommandDeps } from '../deps.js';
import { markNotificationsRead } from '../notifications/mark-read.js';
import { contextOf } from './request-context.js';
import { position } from './schemas.js';

// `{}` or no body marks everything read; `ids` marks those notifications (as listed by GET
// /api/v1/notifications); `upTo` marks only activity at or before that instant (e.g. the newest
// `createdAt` the client showed, so that what arrived since stays unread). Both may be combined.
const markReadBody = z
  .strictObject({
    ids: z.array(z.guid()).min(1).max(100).optional(),
    upTo: z.iso.datetime({ offset: true }).optional(),
  })
  .nullish();

export const notificationRoutes: FastifyPluginAsyncZod<CommandDeps> = async (app, deps) => {
  app.post('/notifications/read', {
    schema: { body: markReadBody, response: { 200: z.object({ position }) } },
    handler: (request) => {
      const { ids, upTo } = request.body ?? {};
      const input = { userId: actorOf(request), ids, upTo: upTo === undefined ? undefined : new Date(upTo).toISOString() };
      return markNotificationsRead(deps, input, contextOf(request));
    },
  });
};
