import type pg from 'pg';
import { listenOnSchemaChannel } from '../../events/postgres/schema-channel.js';
import { createLocalListeners } from './local-listeners.js';
import { asPushMessage, warnOnPushError, type PushBus, type PushErrorReporter, type PushMessage } from './push-bus.js';

// The push bus on PostgreSQL LISTEN/NOTIFY, for the embedded defaults (no Redis configured). One
// channel per schema ("push.<schema>", so test files sharing a database stay apart): every API
// process listening receives every push and keeps those for the users whose streams it holds.
// That suits the single machine the defaults are for; Redis routes per user instead. A NOTIFY
// payload must stay under 8000 bytes, so a push to many users goes out as several notifications,
// each naming as many recipients as fit beside the (small) message.

export interface PostgresPushBusOptions {
  /** Connection of the LISTEN client; defaults to the pool's. */
  listenerConfig?: pg.ClientConfig;
  onError?: PushErrorReporter;
  /** Wait before listening again after the LISTEN connection dropped (default 1 s). */
  reconnectDelayMs?: number;
}

/** Under PostgreSQL's 8000-byte NOTIFY payload limit. */
export const MAX_PAYLOAD_BYTES = 7_999;

interface Payload {
  u: string[];
  m: PushMessage;
}

/** The notifications' payloads for one push: recipients packed into as few as fit. */
export const packPayloads = (userIds: readonly string[], message: PushMessage): string[] => {
  const text = JSON.stringify(message);
  const empty = Buffer.byteLength(`{"u":[],"m":${text}}`);
  const payloads: string[] = [];
  let batch: string[] = [];
  let size = empty;
  for (const userId of userIds) {
    // The id, quoted, and a comma (one byte of slack for the first).
    const cost = Buffer.byteLength(JSON.stringify(userId)) + 1;
    if (empty + cost > MAX_PAYLOAD_BYTES) throw new RangeError(`push message too large for a NOTIFY payload (${empty} bytes)`);
    if (size + cost > MAX_PAYLOAD_BYTES) {
      payloads.push(`{"u":${JSON.stringify(batch)},"m":${text}}`);
      batch = [];
      size = empty;
    }
    size += cost;
    batch.push(userId);
  }
  if (batch.length > 0) payloads.push(`{"u":${JSON.stringify(batch)},"m":${text}}`);
  return payloads;
};

// A push need not survive a crash: its transaction commits without waiting for the WAL flush.
const NOTIFY = `select pg_notify('push.' || current_schema(), payload)
  from (select set_config('synchronous_commit', 'off', true)) as settings, unnest($1::text[]) as payload`;

export const createPostgresPushBus = (pool: pg.Pool, options: PostgresPushBusOptions = {}): PushBus => {
  const { onError = warnOnPushError, reconnectDelayMs = 1_000 } = options;
  let listening: Promise<pg.Client> | null = null;
  let closed = false;

  const receive = (text: string | undefined) => {
    let payload: Partial<Payload> | null = null;
    try {
      payload = JSON.parse(text ?? '') as Partial<Payload>;
    } catch {
      return;
    }
    const message = asPushMessage(payload?.m);
    if (!message || !Array.isArray(payload?.u)) return;
    for (const userId of payload.u) if (listeners.has(userId)) listeners.deliver(userId, message);
  };

  const connect = async (): Promise<pg.Client> => {
    const client = await listenOnSchemaChannel(options.listenerConfig ?? pool.options, 'push', receive);
    client.once('end', () => lost(client));
    return client;
  };

  const ensureListening = () => {
    listening ??= connect().catch((error: unknown) => {
      listening = null;
      throw error;
    });
    return listening;
  };

  // Pushes sent while no connection listens are lost (at most once); the streams stay open.
  const lost = (client: pg.Client) => {
    void listening?.then((current) => {
      if (current !== client) return;
      listening = null;
      if (closed) return;
      setTimeout(() => {
        if (!closed && listeners.users() > 0) ensureListening().catch(onError);
      }, reconnectDelayMs).unref();
    });
  };

  const listeners = createLocalListeners({ firstOfUser: async () => void (await ensureListening()), lastOfUser: () => undefined });

  return {
    async publish(userIds, message) {
      if (userIds.length === 0) return;
      try {
        await pool.query(NOTIFY, [packPayloads(userIds, message)]);
      } catch (error) {
        onError(error);
      }
    },
    subscribe: (userId, listener) => listeners.add(userId, listener),
    async close() {
      closed = true;
      listeners.clear();
      const client = await listening?.catch(() => null);
      listening = null;
      await client?.end().catch(() => undefined);
    },
  };
};
