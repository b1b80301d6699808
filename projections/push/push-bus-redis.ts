import type { Cluster, Redis } from 'ioredis';
import { createLocalListeners } from './local-listeners.js';
import { parsePushMessage, warnOnPushError, type PushBus, type PushErrorReporter } from './push-bus.js';

// The push bus on Redis pub/sub: one channel per user, so an API process receives only the
// pushes of the users whose streams it holds, and a publish is one PUBLISH per recipient (sent
// together by auto-pipelining). Channels carry the user id as a hash tag: with `sharded`, the bus
// uses sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis 7+), which a Redis Cluster routes to the one
// shard owning the channel's slot instead of broadcasting every message to every node, as plain
// PUBLISH does there. Subscriptions live on a connection of their own (a subscribed connection
// can send nothing else), opened at the first subscription, so projector processes never open it.

export interface RedisPushBusOptions {
  /** Prefix of every channel, as for the keys: tests give each file its own. */
  prefix: string;
  /** Sharded pub/sub (Redis 7+; the choice for a Redis Cluster). Default: plain pub/sub. */
  sharded?: boolean;
  onError?: PushErrorReporter;
}

type RedisClient = Redis | Cluster;

/** How often a bus on a Cluster looks whether the primaries changed (a failover). */
const TOPOLOGY_CHECK_MS = 1_000;

/** `publisher` is the platform's command connection: the bus publishes on it and never closes it. */
export const createRedisPushBus = (publisher: RedisClient, options: RedisPushBusOptions): PushBus => {
  const { prefix, sharded = false, onError = warnOnPushError } = options;
  const channelOf = (userId: string) => `${prefix}push:{${userId}}`;
  const userOf = (channel: string) => (channel.startsWith(`${prefix}push:{`) ? channel.slice(prefix.length + 6, -1) : null);
  let subscriber: RedisClient | null = null;

  const connection = () => {
    if (subscriber) return subscriber;
    // A Cluster's SSUBSCRIBE goes through its sharded subscribers (a connection per primary).
    subscriber = publisher.isCluster ? (publisher as Cluster).duplicate([], { shardedSubscribers: true }) : (publisher as Redis).duplicate();
    // ioredis reconnects and resubscribes by itself; what is published meanwhile is lost (at most once).
    subscriber.on('error', () => undefined);
    subscriber.on(sharded ? 'smessage' : 'message', (channel: string, text: string) => {
      const userId = userOf(channel);
      const message = parsePushMessage(text);
      if (userId && message) listeners.deliver(userId, message);
    });
    return subscriber;
  };
  const subscribeOn = (client: RedisClient, userId: string) => (sharded ? client.ssubscribe(channelOf(userId)) : client.subscribe(channelOf(userId)));

  // ioredis (5.11) does not move the sharded subscriptions of a primary that died to its promoted
  // replica (the failover test showed them deaf for good): on a Cluster, when the primaries the
  // command client routes to change, the subscriber is replaced and every user subscribed again
  // (what is published in between is lost, as on any drop).
  const subscribed = new Set<string>();
  const primariesOf = () =>
    (publisher as Cluster)
      .nodes('master')
      .map(({ options: node }) => `${node.host}:${node.port}`)
      .sort()
      .join(',');
  let primaries = '';
  const watch = publisher.isCluster
    ? setInterval(() => {
        const now = primariesOf();
        const moved = primaries !== '' && now !== primaries;
        primaries = now;
        if (!moved || !subscriber) return;
        subscriber.disconnect();
        subscriber = null;
        const fresh = connection();
        for (const userId of subscribed) void subscribeOn(fresh, userId).catch(() => undefined);
      }, TOPOLOGY_CHECK_MS)
    : null;
  watch?.unref();

  const listeners = createLocalListeners({
    firstOfUser: async (userId) => {
      subscribed.add(userId);
      await subscribeOn(connection(), userId);
    },
    lastOfUser: (userId) => {
      subscribed.delete(userId);
      const channel = channelOf(userId);
      // Commands on one connection run in order: a new subscription right after this one ends wins.
      void (sharded ? connection().sunsubscribe(channel) : connection().unsubscribe(channel)).catch(() => undefined);
    },
  });

  return {
    async publish(userIds, message) {
      if (userIds.length === 0) return;
      const text = JSON.stringify(message);
      const sends = userIds.map((userId) => (sharded ? publisher.spublish(channelOf(userId), text) : publisher.publish(channelOf(userId), text)));
      const failed = (await Promise.allSettled(sends)).find((outcome) => outcome.status === 'rejected');
      if (failed) onError(failed.reason);
    },
    subscribe: (userId, listener) => listeners.add(userId, listener),
    async close() {
      if (watch) clearInterval(watch);
      subscribed.clear();
      listeners.clear();
      subscriber?.disconnect();
      subscriber = null;
    },
  };
};
