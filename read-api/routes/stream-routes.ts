import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import type { PushMessage } from '../../projections/push/push-bus.js';
import type { ReadDeps } from '../deps.js';
import { createEventStream, type EventStream } from '../event-stream.js';
import { presentNotifications } from '../present.js';

// GET /api/v1/stream: the caller's pushes as Server-Sent Events, from whichever process produced
// them (the push bus crosses processes). At most once: a client that was away refetches its feed
// and notifications on (re)connecting; ids number the events of one connection only.

const dataWithoutAvatars = (message: PushMessage): unknown =>
  message.type === 'feed' ? { postId: message.postId, authorId: message.authorId, score: message.score } : message.notification;

/** A notification is sent as GET /notifications answers it: its actors with their avatars (read-api/present.ts). */
const dataOf = async (deps: ReadDeps, message: PushMessage): Promise<unknown> => {
  if (message.type === 'feed') return dataWithoutAvatars(message);
  const notification = message.notification as { actors?: unknown };
  if (!Array.isArray(notification.actors)) return message.notification;
  const [presented] = await presentNotifications(deps, [notification as { actors: { id: string; username: string; displayName: string }[] }]);
  return presented;
};

export const streamRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  const open = new Set<EventStream>();
  // Closing the server waits for its responses; an open stream never finishes on its own.
  app.addHook('preClose', async () => {
    for (const stream of open) stream.end();
  });

  app.get('/stream', {
    // EventSource cannot set headers: the token may come as ?access_token= here.
    config: { tokenInQuery: true },
    schema: {
      description:
        'Server-Sent Events (text/event-stream): `event: feed` {postId, authorId, score} when a post enters your home feed, ' +
        '`event: notification` with the notification, a `: heartbeat` comment every 15 s. Authenticate with the Bearer header or ?access_token=.',
      querystring: z.object({ access_token: z.string().optional() }),
    },
    handler: async (request, reply) => {
      const viewerId = actorOf(request);
      const stream = createEventStream(deps.streaming);
      // A bus that cannot subscribe answers 503 (the error handler names the backend).
      // Messages are sent in the order they arrive, each once its avatars are presented (or
      // without them, should the profiles read model not answer).
      let sent = Promise.resolve();
      const onMessage = (message: PushMessage) => {
        sent = sent.then(async () => stream.send(message.type, await dataOf(deps, message).catch(() => dataWithoutAvatars(message))));
      };
      const unsubscribe = await deps.push.subscribe(viewerId, onMessage).catch((error: unknown) => {
        stream.body.destroy();
        throw error;
      });
      open.add(stream);
      // However it ends: the client went, was too slow, or the server closes.
      stream.body.once('close', () => {
        unsubscribe();
        open.delete(stream);
      });
      reply.header('content-type', 'text/event-stream; charset=utf-8');
      reply.header('cache-control', 'no-cache, no-transform');
      reply.header('x-accel-buffering', 'no'); // nginx: pass each event on at once
      // The connection ends with the stream: kept alive, it would idle on after a server close
      // ended the stream, holding the close up until the keep-alive timeout.
      reply.header('connection', 'close');
      return reply.send(stream.body);
    },
  });
};
