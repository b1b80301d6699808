import { backfillFeeds } from './backfill.js';
import { allSettling, forEachBounded } from './bounded.js';
import { settleCelebrities } from './celebrity.js';
import type { FanOutChunk } from './fan-out.js';
import { applyFeedEvent, fanOutPost, fanOutToTags, type FeedContext, type FeedEvent } from './feed-handlers.js';
import type { AuthoredEntry, CelebrityState, Follow, MarkChange, TaggedPost } from './feed-store.js';

// A batch of the log in a few bulk store calls per step, instead of each event's handler making
// its own (issue 16: a rebuild at 50,000 events/s). Why it changes nothing: the handlers of events
// of different streams may run at once, in any interleaving (feed-handlers.ts: each side writes
// its own fact, then reads the other's), so any order of their steps that keeps each handler's
// steps in order, and each stream's events in log order, is one the per-event path may take too.
// - The batch is cut into rounds, the n-th event of each stream in the n-th round, so that a
//   round holds at most one event per stream.
// - In a round, the follows and posts go step by step together: every follow and timeline (and
//   tag timeline) written; then the counts and states read and settled (celebrity.ts), the
//   authors' own feeds pushed; then the fan-outs (to authors' and tags' followers) and backfills,
//   each writing before it reads, as its handler does.
//   The round's other events (deletes, unfollows, blocks) go through their handlers after that.
// - Viewer marks depend on nothing else in the feed: of each (kind, user, post) pair, whose
//   events share a stream, the batch's last event stands, as if applied in order.
// Erasures are not given here: they come after the rest of the batch (feed-projection.ts).

/** About this many feed pushes per bulk fan-out call: bounds the follower lists held at once. */
const FAN_OUT_SLICE = 20_000;

export const applyFeedBatch = async (context: FeedContext, events: readonly FeedEvent[], streamIds: readonly string[]): Promise<void> => {
  const marks = new Map<string, MarkChange>();
  const rounds: FeedEvent[][] = [];
  const seen = new Map<string, number>();
  events.forEach((event, i) => {
    const mark = markChangeOf(event);
    if (mark) return void marks.set(`${mark.kind}\u0000${mark.userId}\u0000${mark.postId}`, mark);
    const round = seen.get(streamIds[i]!) ?? 0;
    seen.set(streamIds[i]!, round + 1);
    (rounds[round] ??= []).push(event);
  });
  // A failure ends the batch (to be retried) only once nothing of it is still writing.
  await allSettling([
    () => context.store.setMarks([...marks.values()]),
    async () => {
      for (const round of rounds) await applyRound(context, round);
    },
  ]);
};

const markChangeOf = (event: FeedEvent): MarkChange | null => {
  switch (event.type) {
    case 'Liked':
    case 'Unliked':
      return { kind: 'liked', userId: event.data.userId, postId: event.data.postId, marked: event.type === 'Liked' };
    case 'Bookmarked':
    case 'Unbookmarked':
      return { kind: 'saved', userId: event.data.userId, postId: event.data.postId, marked: event.type === 'Bookmarked' };
    default:
      return null;
  }
};

const applyRound = async (context: FeedContext, round: readonly FeedEvent[]) => {
  const { store, tunables } = context;
  const follows: Follow[] = [];
  const posts: TaggedPost[] = [];
  const others: FeedEvent[] = [];
  for (const event of round) {
    if (event.type === 'Followed') follows.push({ followerId: event.data.followerId, followeeId: event.data.followeeId });
    else if (event.type === 'PostCreated') posts.push({ postId: event.data.postId, authorId: event.data.authorId, score: Date.parse(event.data.createdAt), tags: event.data.hashtags });
    else others.push(event);
  }
  await allSettling([() => store.addFollows(follows), () => store.addToTimelines(posts), () => store.addToTagTimelines(posts)]);
  let settled = new Map<string, { state: CelebrityState | null; followers: number }>();
  await allSettling([
    async () => {
      settled = await settleCelebrities(
        context,
        follows.map((follow) => follow.followeeId),
        posts.map((post) => post.authorId),
      );
    },
    // Authors see their own posts in their home feed, celebrities included.
    () => store.pushToFeedsMany(posts.map(({ authorId, postId, score }) => ({ entry: { postId, score }, userIds: [authorId] }))),
  ]);
  // A celebrity's posts are pulled at read time: no fan-out, and nothing for a follow to copy.
  const pushed = (userId: string) => settled.get(userId)!.state !== 'celebrity';
  await allSettling([
    () => fanOutPosts(context, posts.filter((post) => pushed(post.authorId)), (authorId) => settled.get(authorId)!.followers),
    () => backfillFeeds(store, follows.filter((follow) => pushed(follow.followeeId)), tunables.backfillLimit),
    // Every tagged post, a celebrity's too (its tags' followers do not pull the author).
    () => fanOutTagged(context, posts),
  ]);
  await forEachBounded(others, tunables.concurrency, (event) => applyFeedEvent(context, event));
};

/**
 * fanOutToTags of each post, walking only the tags that have followers: one read for the round's
 * tags instead of a walk per post and tag (most tags of a log are followed by no one). The read
 * comes after the tag timelines' write, as each walk does, so it may stand for them.
 */
const fanOutTagged = async (context: FeedContext, posts: readonly TaggedPost[]) => {
  const followed = await context.store.tagsWithFollowers([...new Set(posts.flatMap((post) => post.tags))]);
  const reaching = posts.map((post) => ({ ...post, tags: post.tags.filter((tag) => followed.has(tag)) })).filter((post) => post.tags.length > 0);
  await forEachBounded(reaching, context.tunables.concurrency, (post) => fanOutToTags(context, post));
};

/**
 * The posts' chunks of followers, published together in slices of about FAN_OUT_SLICE pushes; an
 * author whose followers alone pass that is walked chunk by chunk, as one post's handler does.
 */
const fanOutPosts = async (context: FeedContext, posts: readonly AuthoredEntry[], followersOf: (authorId: string) => number) => {
  const { store, fanOut, tunables, replay } = context;
  const large = posts.filter((post) => followersOf(post.authorId) > FAN_OUT_SLICE);
  const slices: AuthoredEntry[][] = [];
  let pushes = Infinity;
  for (const post of posts) {
    const followers = followersOf(post.authorId);
    if (followers === 0 || followers > FAN_OUT_SLICE) continue;
    if (pushes + followers > FAN_OUT_SLICE) {
      slices.push([]);
      pushes = 0;
    }
    slices.at(-1)!.push(post);
    pushes += followers;
  }
  const publishSlice = async (slice: readonly AuthoredEntry[]) => {
    const followers = await store.followersOf([...new Set(slice.map((post) => post.authorId))]);
    const chunks: FanOutChunk[] = slice.flatMap(({ postId, authorId, score }) => {
      const all = followers.get(authorId)!;
      return Array.from({ length: Math.ceil(all.length / tunables.chunkSize) }, (_, i) => ({
        postId,
        authorId,
        score,
        followerIds: all.slice(i * tunables.chunkSize, (i + 1) * tunables.chunkSize),
        ...(replay ? { replay } : {}),
      }));
    });
    if (fanOut.publishAll) await fanOut.publishAll(chunks);
    else await forEachBounded(chunks, tunables.fanOutConcurrency, (chunk) => fanOut.publish(chunk));
  };
  for (const slice of slices) await publishSlice(slice);
  for (const post of large) await fanOutPost(context, post);
};
