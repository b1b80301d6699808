import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { inject } from 'vitest';
import type { RecordedEvent } from '../../events/index.js';
import type { FeedStore } from '../../projections/feed/feed-store.js';
import type { Projection } from '../../projections/runtime/projection.js';
import { toRecordedEvents } from './history-arbitraries.js';

// Kafka for tests: the broker of `npm run services:up` (KAFKA_BROKERS, else .services/urls.env).
// Each test file works on topics and consumer groups of its own name, so files run in parallel.
export const testKafkaBrokers = (): string[] => inject('kafkaBrokers').split(',').filter(Boolean);

export const kafkaClient = (brokers: string[]) => new Kafka({ clientId: 'tests', brokers, logLevel: logLevel.NOTHING });

/** A topic (and group) name no other test file uses. */
export const testTopicName = () => `t_${randomBytes(6).toString('hex')}-fanout`;

/** `count` followers of `authorId` in the feed store, added in parallel batches; their ids. */
export const seedFollowers = async (store: FeedStore, authorId: string, count: number): Promise<string[]> => {
  const followers = Array.from({ length: count }, () => uuidv7());
  for (let i = 0; i < count; i += 500) await Promise.all(followers.slice(i, i + 500).map((id) => store.addFollow(id, authorId)));
  return followers;
};

/** A PostCreated of a new post by `authorId`, as the projector hands it over. */
export const postCreated = (authorId: string, createdAt = new Date().toISOString()): RecordedEvent => {
  const postId = uuidv7();
  const [event] = toRecordedEvents([
    {
      type: 'PostCreated',
      streamId: `post-${postId}`,
      data: { postId, authorId, caption: 'hi', hashtags: [], mentions: [], media: [{ url: 'https://cdn.example.com/a.jpg', type: 'image' }], createdAt },
      at: createdAt,
    },
  ]);
  return event!;
};

export const postIdOf = (event: RecordedEvent) => (event.data as { postId: string }).postId;

/** Polls until `check` holds; throws with `what` after `timeoutMs`. */
export const eventually = async (what: string, check: () => Promise<boolean>, timeoutMs = 45_000): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/**
 * Applies one event as the projector runs a batch: a failed one (a broker or leader gone
 * mid-send) is tried again every 500 ms, at most `maxFailures` times; answers how many failed.
 */
export const applyRetrying = async (projection: Projection, event: RecordedEvent, checkpointKey: string, maxFailures: number): Promise<number> => {
  for (let failures = 0; ; failures++) {
    try {
      await projection.apply({ events: [event], position: event.position, replay: false }, checkpointKey);
      return failures;
    } catch (error) {
      if (failures >= maxFailures) throw error;
      await new Promise((resolveLater) => setTimeout(resolveLater, 500));
    }
  }
};
