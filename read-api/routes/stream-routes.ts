import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import { AppError } from '../../kernel/errors.js';
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

/** setTimeout's longest delay (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Default caps on open streams (STREAMS_PER_ACCOUNT, STREAMS_PER_PROCESS). */
export const DEFAULT_STREAM_CAPS: StreamCaps = { perAccount: 5, perProcess: 10_000 };

export interface StreamCaps {
  perAccount: number;
  perProcess: number;
}

/**
 * The slots of open streams: one taken before a stream holds anything (a subscription, a socket
 * kept open), given back when it closes, however it closes. Counted in this process.
 */
const streamSlots = ({ perAccount, perProcess }: StreamCaps) => {
  const byAccount = new Map<string, number>();
  let total = 0;
  return {
    /** Takes a slot for `accountId`, or throws the refusal (nothing taken). */
    take(accountId: string): () => void {
      const held = byAccount.get(accountId) ?? 0;
      if (held >= perAccount) throw new AppError('TOO_MANY_STREAMS', `at most ${perAccount} open streams per account; close one first`);
      if (total >= perProcess) throw new AppError('STREAMS_FULL');
      byAccount.set(accountId, held + 1);
      total++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total--;
        const left = (byAccount.get(accountId) ?? 1) - 1;
        if (left > 0) byAccount.set(accountId, left);
        else byAccount.delete(accountId);
      };
    },
  };
};

export const streamRoutes: FastifyPluginAsyncZod<ReadDeps> = async (app, deps) => {
  const open = new Set<EventStream>();
  const slots = streamSlots(deps.streamCaps ?? DEFAULT_STREAM_CAPS);
  // Closing the server waits for its responses; an open stream never finishes on its own.
  app.addHook('preClose', async () => {
    for (const stream of open) stream.end();
  });

  app.get('/stream', {
    // EventSource cannot set headers: a stream ticket may come as ?ticket= here (never the access token).
    config: { streamTicket: true, errors: ['TOO_MANY_STREAMS', 'STREAMS_FULL', 'INVALID_STREAM_TICKET'] },
    schema: {
      description:
        'Server-Sent Events (text/event-stream): `event: feed` {postId, authorId, score} when a post enters your home feed, ' +
        '`event: notification` with the notification, a `: heartbeat` comment every 15 s. Authenticate with the Bearer header or ' +
        '?ticket= (POST /auth/stream-ticket: single use, one minute). The stream ends when its session ends or its access token expires.',
      querystring: z.object({ ticket: z.string().max(128).optional() }),
    },
    handler: async (request, reply) => {
      const viewerId = actorOf(request);
      const { sessionId, expiresAtMs } = request.actor!;
      // Before anything is held: over a cap, the refusal is an ordinary JSON answer.
      const release = slots.take(viewerId);
      const stream = createEventStream(deps.streaming);
      stream.body.once('close', release);
      // A bus that cannot subscribe answers 503 (the error handler names the backend).
      // Messages are sent in the order they arrive, each once its avatars are presented (or
      // without them, should the profiles read model not answer).
      // A post of an author the viewer mutes is in their feed read model but not in their home
      // feed (docs/rules.md "Mutes"): it is not announced either (should the check fail, it is: a
      // feed event is a hint to refetch, and the refetch leaves the post out).
      let sent = Promise.resolve();
      const onMessage = (message: PushMessage) => {
        sent = sent.then(async () => {
          if (message.type === 'feed' && (await deps.cards.muting(viewerId, message.authorId).catch(() => false))) return;
          stream.send(message.type, await dataOf(deps, message).catch(() => dataWithoutAvatars(message)));
        });
      };
      const unsubscribe = await deps.push.subscribe(viewerId, onMessage).catch((error: unknown) => {
        stream.body.destroy();
        throw error;
      });
      open.add(stream);
      // No longer than its credentials: ended with its session (logout, revocation, in any
      // process: commands/accounts/sessions.ts), or when the access token behind it expires.
      const stopWatching = deps.sessions.onRevoked(sessionId, () => stream.end());
      // Revoked after the ticket was taken and before the watch began: ended at once.
      if (await deps.sessions.isRevoked(sessionId)) stream.end();
      const expiry = setTimeout(() => stream.end(), Math.min(MAX_TIMER_MS, Math.max(0, expiresAtMs - Date.now())));
      // However it ends: the client went, was too slow, the session ended, or the server closes.
      stream.body.once('close', () => {
        unsubscribe();
        stopWatching();
        clearTimeout(expiry);
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
