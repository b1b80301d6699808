import type { PushPublisher } from '../push/push-bus.js';
import { removeUnwanted } from './backfill.js';
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
  /** The followers of the author, or with `tag`, of that hashtag (the post was created with it). */
  followerIds: string[];
  /** Set when the chunk goes to the tag's followers rather than the author's (docs/architecture.md "Feed": hashtag follows). */
  tag?: string;
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

export interface DeliveryOptions {
  /**
   * Nothing else writes the store while this delivers: a generation being built (mode 'build')
   * is filled by the replay pass alone, one batch at a time, whose rounds (feed-batch.ts) cut a
   * post's chunks from the followers read after the round's follows are written, and deliver
   * them before any of the round's removals runs. So the followers still follow when the chunk
   * lands, and the read-back of the follows, one row per push, is skipped. The deleted posts are
   * still read (one row per post): a batch applied again after a crash may find its post deleted
   * by the first application.
   */
  soleWriter?: boolean;
}

/** deliverFanOutChunk of each chunk, each step one bulk store call for them all. */
export const deliverFanOutChunks = async (store: FeedStore, given: readonly FanOutChunk[], push?: PushPublisher, { soleWriter = false }: DeliveryOptions = {}): Promise<void> => {
  const chunks = given.filter((chunk) => chunk.followerIds.length > 0);
  if (chunks.length === 0) return;
  await store.pushToFeedsMany(chunks.map(({ postId, score, followerIds }) => ({ entry: { postId, score }, userIds: followerIds })));
  const byTag = chunks.map((chunk, i) => ({ chunk, i })).filter(({ chunk }) => chunk.tag !== undefined);
  const byAuthor = chunks.map((chunk, i) => ({ chunk, i })).filter(({ chunk }) => chunk.tag === undefined);
  const everyone = (chunks: readonly { chunk: FanOutChunk }[]) => Promise.resolve(chunks.map(({ chunk }) => new Set(chunk.followerIds)));
  const [authorFollowing, tagFollowing, deleted] = await Promise.all([
    soleWriter ? everyone(byAuthor) : store.followersAmongMany(byAuthor.map(({ chunk }) => ({ userId: chunk.authorId, candidateIds: chunk.followerIds }))),
    soleWriter ? everyone(byTag) : store.tagFollowersAmongMany(byTag.map(({ chunk }) => ({ tag: chunk.tag!, candidateIds: chunk.followerIds }))),
    store.deletedAmong([...new Set(chunks.map((chunk) => chunk.postId))]),
  ]);
  const stillFollowing: Set<string>[] = [];
  byAuthor.forEach(({ i }, j) => (stillFollowing[i] = authorFollowing[j]!));
  byTag.forEach(({ i }, j) => (stillFollowing[i] = tagFollowing[j]!));
  const deletedIn = chunks.map((chunk) => deleted.has(chunk.postId));
  const unfollowed = chunks.map(({ followerIds }, i) => (deletedIn[i] ? [] : followerIds.filter((id) => !stillFollowing[i]!.has(id))));
  await Promise.all(chunks.map((chunk, i) => (deletedIn[i] ? store.removeFromFeeds(chunk.followerIds, chunk.postId) : undefined)));
  // A follower who no longer follows the author (or the tag) keeps the post if another reason wants it.
  await removeUnwanted(
    store,
    chunks.flatMap(({ postId, authorId }, i) => unfollowed[i]!.map((userId) => ({ userId, posts: [{ postId, authorId }] }))),
  );
  const stale = chunks.map(({ followerIds }, i) => (deletedIn[i] ? followerIds : unfollowed[i]!));
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
export const inProcessFanOut = (store: FeedStore, push?: PushPublisher, options: DeliveryOptions = {}): FanOut => ({
  publish: (chunk) => deliverFanOutChunks(store, [chunk], push, options),
  publishAll: (chunks) => deliverFanOutChunks(store, chunks, push, options),
});
