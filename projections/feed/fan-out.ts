import type { PushPublisher } from '../push/push-bus.js';
import type { FeedStore } from './feed-store.js';

// Fan-out on write is cut into chunks of followers (docs/architecture.md "Projections"). The port
// is deliberately small: the Kafka adapter (fan-out-kafka.ts) publishes chunks to a topic whose
// consumer group of workers (fan-out-workers.ts) runs deliverFanOutChunk; the in-process adapter
// here runs it at once.
//
// Whoever delivers a chunk also tells the followers' open streams (GET /api/v1/stream) that the
// post is in their feed, so the push follows the write it announces: a client that refetches
// its feed on the push finds the post there. Not for a chunk from a replay, which re-delivers
// old posts. A chunk delivered twice (a retried batch, a redelivered Kafka message) pushes
// twice: clients recognise a feed item by its postId.

export interface FanOutChunk {
  postId: string;
  authorId: string;
  /** The post's createdAt in milliseconds. */
  score: number;
  followerIds: string[];
  /** Set when the post comes from a replay of the log: delivered, but never pushed to clients. */
  replay?: boolean;
}

export interface FanOut {
  /** Resolves once the chunk is delivered (in-process) or durably queued (Kafka). */
  publish(chunk: FanOutChunk): Promise<void>;
  /** Several chunks (of a batch's posts) at once, in a few bulk store calls; without it, `publish` of each. */
  publishAll?(chunks: readonly FanOutChunk[]): Promise<void>;
}

/**
 * Pushes the post into the chunk's followers' feeds, then reads back what may have changed
 * meanwhile: a follower who unfollowed (their removal may have run before this push landed) and
 * a post deleted before a late chunk arrived. Writing first and reading after means that of a
 * push and a concurrent removal, at least one sees the other, so no stale entry survives both.
 */
export const deliverFanOutChunk = (store: FeedStore, chunk: FanOutChunk, push?: PushPublisher): Promise<void> => deliverFanOutChunks(store, [chunk], push);

/** deliverFanOutChunk of each chunk, each step one bulk store call for them all. */
export const deliverFanOutChunks = async (store: FeedStore, given: readonly FanOutChunk[], push?: PushPublisher): Promise<void> => {
  const chunks = given.filter((chunk) => chunk.followerIds.length > 0);
  if (chunks.length === 0) return;
  await store.pushToFeedsMany(chunks.map(({ postId, score, followerIds }) => ({ entry: { postId, score }, userIds: followerIds })));
  const [stillFollowing, deleted] = await Promise.all([
    store.followersAmongMany(chunks.map(({ authorId, followerIds }) => ({ userId: authorId, candidateIds: followerIds }))),
    store.deletedAmong([...new Set(chunks.map((chunk) => chunk.postId))]),
  ]);
  const stale = chunks.map(({ postId, followerIds }, i) => (deleted.has(postId) ? followerIds : followerIds.filter((id) => !stillFollowing[i]!.has(id))));
  await Promise.all(chunks.map((chunk, i) => (stale[i]!.length > 0 ? store.removeFromFeeds(stale[i]!, chunk.postId) : undefined)));
  if (!push) return;
  await Promise.all(
    chunks.map(({ postId, authorId, score, followerIds, replay }, i) => {
      if (replay) return undefined;
      const gone = new Set(stale[i]);
      const reached = followerIds.filter((id) => !gone.has(id));
      return reached.length > 0 ? push.publish(reached, { type: 'feed', postId, authorId, score }) : undefined;
    }),
  );
};

/** Delivers each chunk at once in this process; with `push`, also tells the followers' streams. */
export const inProcessFanOut = (store: FeedStore, push?: PushPublisher): FanOut => ({
  publish: (chunk) => deliverFanOutChunk(store, chunk, push),
  publishAll: (chunks) => deliverFanOutChunks(store, chunks, push),
});
