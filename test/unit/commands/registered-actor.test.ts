import { describe, expect, it } from 'vitest';
import { createPost } from '../../../commands/posts/posts.js';
import { START, streams, type EventStore } from '../../../events/index.js';
import { commandDeps, ctx, given, givenUser, now, typesIn } from '../../support/command-fixtures.js';
import { createInMemoryEventStore } from '../../support/in-memory-event-store.js';

// A create keeps the author's account as this process last saw it active and appends with it as a
// guard (commands/registered-actor.ts): what another process writes to the user stream meanwhile
// must still decide the next create, as a fresh read would have.

const authorId = '0195a000-0000-7000-8000-0000000000a1';
const post = (caption: string) => ({ authorId, caption, media: [{ url: 'https://cdn.example.com/a.jpg', type: 'image' as const }] });

/** The store, counting the reads of the author's user stream (whole or from its snapshot). */
const countingUserReads = (inner: EventStore) => {
  let reads = 0;
  const user = streams.user(authorId);
  const store: EventStore = {
    ...inner,
    readStream: (streamId, from) => ((reads += streamId === user ? 1 : 0), inner.readStream(streamId, from)),
    snapshots: {
      ...inner.snapshots!,
      readFromSnapshot: (streamId, key) => ((reads += streamId === user ? 1 : 0), inner.snapshots!.readFromSnapshot(streamId, key)),
    },
  };
  return { store, reads: () => reads };
};

const setUp = async () => {
  const inner = createInMemoryEventStore();
  await givenUser(inner, { userId: authorId, username: 'author' });
  const counted = countingUserReads(inner);
  return { inner, ...counted, deps: { ...commandDeps(counted.store), mediaExternalHosts: ['cdn.example.com'] } };
};

describe('a create guarded by the author account this process saw', () => {
  it('reads the user stream for the first create only, while nothing lands on it', async () => {
    const { deps, reads } = await setUp();
    await createPost(deps, post('one'), ctx);
    await createPost(deps, post('two'), ctx);
    await createPost(deps, post('three'), ctx);
    expect(reads()).toBe(1);
  });

  it('refuses a create once another process has started the account deletion, and creates nothing', async () => {
    const { deps, inner } = await setUp();
    await createPost(deps, post('before'), ctx);
    // Written past this process's handlers, as the API process that took the request would.
    await given(inner, streams.user(authorId), [{ type: 'AccountDeletionRequested', data: { userId: authorId, requestedAt: now, eraseAfter: now } }]);

    await expect(createPost(deps, post('after'), ctx)).rejects.toMatchObject({ code: 'ACCOUNT_DELETION_PENDING' });
    await expect(createPost(deps, post('again'), ctx)).rejects.toMatchObject({ code: 'ACCOUNT_DELETION_PENDING' });
    const { events } = await inner.readAll(START, 100);
    expect(events.filter((event) => event.type === 'PostCreated').length).toBe(1);
  });

  it('creates after another change of the account (the guard moved, the account is read again and still active)', async () => {
    const { deps, inner, reads } = await setUp();
    await createPost(deps, post('before'), ctx);
    await given(inner, streams.user(authorId), [{ type: 'PrivacyChanged', data: { userId: authorId, private: true } }]);

    const { postId } = await createPost(deps, post('after'), ctx);
    expect(await typesIn(inner, streams.post(postId))).toEqual(['PostCreated']);
    expect(reads()).toBe(2);
  });
});
