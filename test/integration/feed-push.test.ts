import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeedProjection } from '../../projections/feed/feed-projection.js';
import { createPostgresFeedStore } from '../../projections/feed/feed-store-postgres.js';
import type { PushMessage, PushPublisher } from '../../projections/push/push-bus.js';
import { FEED_HISTORY_AT, followed, posted, unfollowed } from '../support/feed-history.js';
import { toRecordedEvents } from '../support/history-arbitraries.js';
import { applyEvents } from '../support/projection-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// What the feed projection pushes to followers' streams: a new post to those whose feed it
// entered, never during a replay, never for a celebrity's post (pulled at read time).

const at = FEED_HISTORY_AT;

/** An in-memory publisher: the feed projection's side of the bus. */
const recordingPublisher = () => {
  const pushes: { userIds: string[]; message: PushMessage }[] = [];
  const publisher: PushPublisher = {
    publish: async (userIds, message) => void pushes.push({ userIds: [...userIds], message }),
  };
  return { pushes, publisher };
};

describe('feed pushes', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  const projectionWith = async (push: PushPublisher, celebrityThreshold = 100) => {
    const feed = createFeedProjection({ store: createPostgresFeedStore(db.pool), checkpoints: db.pool, push, celebrityThreshold, chunkSize: 2 });
    await feed.setup();
    return feed;
  };

  it("pushes a new post to the followers whose feeds it entered, and to no one else", async () => {
    const [author, f1, f2, f3, gone, stranger] = [uuidv7(), uuidv7(), uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    const postId = uuidv7();
    const { pushes, publisher } = recordingPublisher();
    const feed = await projectionWith(publisher);
    const history = [followed(f1, author), followed(f2, author), followed(f3, author), followed(gone, author), unfollowed(gone, author), followed(stranger, f1), posted(postId, author)];
    // The graph in one batch, the post in the next (within a batch, streams run at once).
    await applyEvents(feed, toRecordedEvents(history), { checkpointKey: `feed-${author}`, batchSize: history.length - 1 });

    expect(pushes.every((p) => p.message.type === 'feed' && p.message.postId === postId && p.message.authorId === author)).toBe(true);
    expect(pushes[0]!.message).toEqual({ type: 'feed', postId, authorId: author, score: Date.parse(at) });
    // Chunks of two followers each; the author and the ex-follower get nothing.
    expect(pushes.flatMap((p) => p.userIds).sort()).toEqual([f1, f2, f3].sort());
  });

  it('pushes nothing for a batch applied as a replay, though the feeds are filled the same', async () => {
    const [author, follower] = [uuidv7(), uuidv7()];
    const postId = uuidv7();
    const { pushes, publisher } = recordingPublisher();
    const feed = await projectionWith(publisher);
    await applyEvents(feed, toRecordedEvents([followed(follower, author), posted(postId, author)]), { checkpointKey: `feed-${author}`, replay: true });
    expect(pushes).toEqual([]);
    expect(await createPostgresFeedStore(db.pool).feed(follower, { limit: 10 })).toEqual([{ postId, score: Date.parse(at) }]);
  });

  it("pushes nothing for a celebrity's post, which no follower's feed holds", async () => {
    const [author, f1, f2] = [uuidv7(), uuidv7(), uuidv7()];
    const { pushes, publisher } = recordingPublisher();
    const feed = await projectionWith(publisher, 2);
    // The follows in a batch before the post's: streams of one batch are applied concurrently.
    await applyEvents(feed, toRecordedEvents([followed(f1, author), followed(f2, author), posted(uuidv7(), author)]), { checkpointKey: `feed-${author}`, batchSize: 2 });
    expect(pushes).toEqual([]);
  });
});
