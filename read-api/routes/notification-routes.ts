import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import { notificationKinds } from '../../projections/notifications/subscribed-events.js';
import type { ReadDeps } from '../deps.js';
import { presentNotifications } from '../present.js';
import { pageQuery, userSummary } from '../schemas.js';

const notification = z.object({
  id: z.string(),
  type: z.enum(notificationKinds),
  post: z.object({ id: z.string() }).optional(),
  comment: z.object({ id: z.string() }).optional(),
  actors: z.array(userSummary),
  actorCount: z.number(),
  text: z.string(),
  createdAt: z.string(),
  read: z.boolean(),
});

// GET /api/v1/notifications: the caller's notification groups, latest activity first, with the
// number of unread groups. Marking read is a command (commands/http/notification-routes.ts).
export const notificationRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  app.get('/notifications', {
    config: { reads: ['notifications', 'profiles'] },
    schema: {
      querystring: pageQuery,
      response: { 200: z.object({ items: z.array(notification), nextCursor: z.string().nullable(), unreadCount: z.number() }) },
    },
    handler: async (request) => {
      const viewerId = actorOf(request);
      const { cursor, limit } = request.query;
      const [page, unreadCount] = await Promise.all([deps.notifications.list(viewerId, { cursor, limit }), deps.notifications.unreadCount(viewerId)]);
      return { items: await presentNotifications(deps, page.items), nextCursor: page.nextCursor, unreadCount };
    },
  });
};
