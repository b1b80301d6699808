import type { Redis } from 'ioredis';
import { deliverMessage, owingPublisher, warnOnCardBusError, type CardBus, type CardBusListener } from './card-bus.js';

// The card bus on Redis pub/sub: ONE channel, `<prefix>cards`, that every API process subscribes
// to (a broadcast: each process caches every card it served). Plain PUBLISH, so that a Redis
// Cluster forwards it to every node. The subscription has a connection of its own, with
// ioredis's automatic resubscription off: this bus subscribes again itself on every `ready`, and
// calls `live` once that SUBSCRIBE is answered, so that the cache knows from when it may trust
// its entries (between a drop and that answer, messages are lost).

export interface RedisCardBusOptions {
  /** Prefix of the channel, as for the keys: tests give each file its own. */
  prefix: string;
  onError?: (error: unknown) => void;
}

/**
 * `publisher` is the platform's command connection: the bus publishes on it and never closes it.
 * A single server's (a Cluster's duplicate() takes other arguments; plain PUBLISH reaches every
 * node of one, so only the subscriber's connection would differ).
 */
export const createRedisCardBus = (publisher: Redis, { prefix, onError = warnOnCardBusError }: RedisCardBusOptions): CardBus => {
  const channel = `${prefix}cards`;
  const subscribers = new Set<Redis>();

  const subscribe = (listener: CardBusListener) => {
    // Named, so that an operator (or a test) can tell it in CLIENT LIST.
    const subscriber = publisher.duplicate({ autoResubscribe: false, connectionName: `${prefix}cards` });
    subscribers.add(subscriber);
    let ended = false;
    subscriber.on('error', () => undefined);
    subscriber.on('message', (from: string, text: string) => {
      if (from === channel) deliverMessage(text, listener);
    });
    subscriber.on('ready', () => {
      subscriber.subscribe(channel).then(
        () => !ended && listener.live(),
        () => undefined, // the connection dropped again: its next 'ready' subscribes
      );
    });
    subscriber.on('close', () => !ended && listener.down());
    return () => {
      ended = true;
      subscribers.delete(subscriber);
      subscriber.disconnect();
    };
  };

  return {
    publish: owingPublisher(async (messages) => {
      for (const message of messages) await publisher.publish(channel, message);
    }, onError),
    subscribe,
    async close() {
      for (const subscriber of subscribers) subscriber.disconnect();
      subscribers.clear();
    },
  };
};
