import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateProfile } from '../../commands/accounts/update-profile.js';
import { SNAPSHOT_AFTER_EVENTS } from '../../commands/load-state.js';
import { editCaption } from '../../commands/posts/posts.js';
import { like, unlike } from '../../commands/posts/reactions.js';
import { streams, type EventStore } from '../../events/index.js';
import { createPostgresEventStore } from '../../events/postgres/index.js';
import { commandDeps, ctx, given, givenUser, now } from '../support/command-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// No command's cost grows with history (issue 13, review F2): on real PostgreSQL, a post edited
// 500 times by an author who switched privacy 500 times, every command reads a bounded number of
// events, counted through a wrapper store (rows read, not time). The same like through a store
// without snapshots reads both streams whole: what the bound is measured against.

const author = '0190a000-0000-7000-8000-0000000000a1';
const fan = '0190a000-0000-7000-8000-0000000000a2';
const postId = '0190b000-0000-7000-8000-0000000000b1';
const HISTORY = 500;

/** The store, counting the events each read returns. */
const countingReads = (inner: EventStore) => {
  let events = 0;
  const counted = <T extends { length: number }>(read: T) => ((events += read.length), read);
  const store: EventStore = {
    ...inner,
    readStream: async (streamId, from) => counted(await inner.readStream(streamId, from)),
    ...(inner.snapshots && {
      snapshots: {
        ...inner.snapshots,
        readFromSnapshot: async (streamId, key) => {
          const read = await inner.snapshots!.readFromSnapshot(streamId, key);
          counted(read.events);
          return read;
        },
      },
    }),
  };
  /** Events read by `run`. */
  const readBy = async (run: () => Promise<unknown>): Promise<number> => {
    events = 0;
    await run();
    return events;
  };
  return { store, readBy };
};

describe('command cost on long streams (PostgreSQL)', () => {
  let db: TestDatabase;
  let inner: EventStore;
  const growth: number[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    inner = await createPostgresEventStore(db.pool, { notify: false });
    await givenUser(inner, { userId: author, username: 'author' });
    await givenUser(inner, { userId: fan, username: 'fan' });
    await given(inner, streams.post(postId), [
      { type: 'PostCreated', data: { postId, authorId: author, caption: 'first', hashtags: [], mentions: [], media: [{ url: 'media/a.jpg', type: 'image' }], createdAt: now } },
    ]);
    // The histories grow through the handlers themselves, each command's reads counted.
    const { store, readBy } = countingReads(inner);
    const deps = commandDeps(store);
    for (let i = 0; i < HISTORY; i++) {
      growth.push(await readBy(() => editCaption(deps, { actorId: author, postId, caption: `edit ${i}` }, ctx)));
      growth.push(await readBy(() => updateProfile(deps, { userId: author, private: i % 2 === 0 }, ctx)));
    }
  });
  afterAll(async () => {
    await inner.close();
    await db.drop();
  });

  it('every edit and privacy switch read at most the snapshot threshold of events per stream, however long the streams', () => {
    expect(growth).toHaveLength(2 * HISTORY);
    // An edit reads the post and the author's user stream (the author must not be in a deletion
    // grace period: commands/registered-actor.ts); a privacy switch the user stream alone.
    expect(Math.max(...growth)).toBeLessThanOrEqual(2 * (SNAPSHOT_AFTER_EVENTS + 1));
  });

  it('a like and an unlike read a bounded number of events, as on a fresh post', async () => {
    const { store, readBy } = countingReads(inner);
    const deps = commandDeps(store);
    const reads = [];
    for (let i = 0; i < 3; i++) {
      reads.push(await readBy(() => like(deps, { userId: fan, postId }, ctx)));
      reads.push(await readBy(() => unlike(deps, { userId: fan, postId }, ctx)));
    }
    // The like stream, the post and its author (each at most the threshold past a snapshot),
    // the follow and the two block streams (short); then the caller's own user stream (it must be
    // registered: commands/registered-actor.ts) and, after the append, the author's access again
    // (commands/recheck-access.ts: the author's stream once more, the follow and the blocks).
    expect(Math.max(...reads)).toBeLessThanOrEqual(3 * (SNAPSHOT_AFTER_EVENTS + 1) + 20);
    expect((await inner.readStream(streams.post(postId))).length).toBe(HISTORY + 1);
  });

  it('without snapshots the same like reads both long streams whole', async () => {
    const plain = await createPostgresEventStore(db.pool, { notify: false, snapshots: false });
    const { store, readBy } = countingReads(plain);
    expect(await readBy(() => like(commandDeps(store), { userId: fan, postId }, ctx))).toBeGreaterThan(2 * HISTORY);
    await plain.close();
  });
});
