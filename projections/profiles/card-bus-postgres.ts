import type pg from 'pg';
import { listenOnSchemaChannel } from '../../events/postgres/schema-channel.js';
import { deliverMessage, owingPublisher, warnOnCardBusError, type CardBus, type CardBusListener } from './card-bus.js';

// The card bus on PostgreSQL LISTEN/NOTIFY, for the embedded defaults (no Redis configured): the
// channel "cards.<schema>" (test files sharing a database stay apart), the connection handling
// of the push bus (events/postgres/schema-channel.ts). `live` once LISTEN is answered, `down`
// when that connection ends, and a new one after `reconnectDelayMs`.

export interface PostgresCardBusOptions {
  /** Connection of the LISTEN client; defaults to the pool's. */
  listenerConfig?: pg.ClientConfig;
  onError?: (error: unknown) => void;
  /** Wait before listening again after the LISTEN connection dropped or failed (default 1 s). */
  reconnectDelayMs?: number;
}

// An invalidation need not survive a crash (the cache's TTL does that): no wait for the WAL flush.
const NOTIFY = `select pg_notify('cards.' || current_schema(), payload)
  from (select set_config('synchronous_commit', 'off', true)) as settings, unnest($1::text[]) as payload`;

/** `pool` is where the publisher notifies, in the platform's base schema (never a generation's). */
export const createPostgresCardBus = (pool: pg.Pool, options: PostgresCardBusOptions = {}): CardBus => {
  const { onError = warnOnCardBusError, reconnectDelayMs = 1_000 } = options;
  const stops = new Set<() => void>();

  const subscribe = (listener: CardBusListener) => {
    let ended = false;
    let client: pg.Client | null = null;
    const connect = () => {
      listenOnSchemaChannel(options.listenerConfig ?? pool.options, 'cards', (payload) => deliverMessage(payload, listener)).then(
        (connected) => {
          if (ended) return void connected.end().catch(() => undefined);
          client = connected;
          connected.once('end', () => {
            client = null;
            if (ended) return;
            listener.down();
            setTimeout(connect, reconnectDelayMs).unref();
          });
          listener.live();
        },
        () => {
          if (!ended) setTimeout(connect, reconnectDelayMs).unref();
        },
      );
    };
    connect();
    const stop = () => {
      ended = true;
      stops.delete(stop);
      void client?.end().catch(() => undefined);
    };
    stops.add(stop);
    return stop;
  };

  return {
    publish: owingPublisher(async (messages) => void (await pool.query(NOTIFY, [messages])), onError),
    subscribe,
    async close() {
      for (const stop of [...stops]) stop();
    },
  };
};
