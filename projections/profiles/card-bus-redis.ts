import { Redis, type Cluster } from 'ioredis';
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
 * On a Redis Cluster, plain PUBLISH reaches every node, so the subscriber is a connection to any
 * one node: when that node goes away (killed, failed over), the subscriber connects to the next
 * node the cluster client knows, and the listener hears down() then live() as after any drop.
 */
export const createRedisCardBus = (publisher: Redis | Cluster, { prefix, onError = warnOnCardBusError }: RedisCardBusOptions): CardBus => {
  const channel = `${prefix}cards`;
  const subscribers = new Set<Redis>();
  // Named, so that an operator (or a test) can tell it in CLIENT LIST.
  const options = { autoResubscribe: false, connectionName: `${prefix}cards` };
  let nextNode = 0;
  let closed = false;
  /** A connection of its own: a single server's duplicate, or one to a cluster node that does not reconnect (the next one is tried instead). */
  const connect = (): Redis | null => {
    if (!publisher.isCluster) return (publisher as Redis).duplicate(options);
    // The nodes the cluster client knows (it learns them at its first connect: subscriptions come after).
    const nodes = (publisher as Cluster).nodes('all');
    const node = nodes[nextNode++ % Math.max(1, nodes.length)]?.options;
    if (!node) return null;
    return new Redis({ host: node.host, port: node.port, ...options, retryStrategy: () => null });
  };

  const subscribe = (listener: CardBusListener) => {
    let ended = false;
    let subscriber: Redis | undefined;
    const attach = () => {
      const connected = connect();
      if (!connected) return void setTimeout(() => !ended && !closed && attach(), 100).unref();
      subscriber = connected;
      subscribers.add(subscriber);
      listen(subscriber);
    };
    const listen = (subscriber: Redis) => {
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
      // A cluster node's connection does not reconnect: the next node is tried, soon.
      subscriber.on('end', () => {
        subscribers.delete(subscriber);
        if (!ended && !closed) setTimeout(() => !ended && !closed && attach(), 100).unref();
      });
    };
    attach();
    return () => {
      ended = true;
      if (!subscriber) return;
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
      closed = true;
      for (const subscriber of subscribers) subscriber.disconnect();
      subscribers.clear();
    },
  };
};
