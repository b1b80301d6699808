import { beforeEach, describe, expect, it } from 'vitest';
import { entityIdFor, type CommandContext } from '../../../commands/command-context.js';
import type { CommandDeps } from '../../../commands/deps.js';
import { addToCollection, createCollection } from '../../../commands/collections/collections.js';
import { block } from '../../../commands/graph/block.js';
import { addComment } from '../../../commands/posts/comments.js';
import { createPost } from '../../../commands/posts/posts.js';
import { bookmark, like } from '../../../commands/posts/reactions.js';
import { postStory, viewStory } from '../../../commands/stories/stories.js';
import type { EventStore } from '../../../events/index.js';
import { streams } from '../../../events/streams.js';
import { commandDeps, ctx, given, givenUser, typesIn } from '../../support/command-fixtures.js';
import { createInMemoryEventStore } from '../../support/in-memory-event-store.js';

// Write-time re-checks (commands/recheck-access.ts; review F20): a like, comment, bookmark, collection entry or story
// view decided on facts read just before a block (or a switch to private) was appended lands after
// it, and must not survive it. The race is forced: the engagement's reads of the block (or user)
// streams return what they read, but only once the block has been appended, as a slow read would.
// The follow-versus-block race is in follow.test.ts.

const author = '0190a000-0000-7000-8000-000000000001';
const fan = '0190a000-0000-7000-8000-000000000002';
const image = { url: 'https://cdn.example.com/a.jpg', type: 'image' as const };
const keyed = (actorId: string, key: string): CommandContext => ({ ...ctx, actorId, idempotencyKey: key });

let inner: EventStore;
let deps: CommandDeps;
let postId: string;
let storyId: string;
beforeEach(async () => {
  inner = createInMemoryEventStore();
  deps = { ...commandDeps(inner), mediaExternalHosts: ['cdn.example.com'] };
  await givenUser(inner, { userId: author, username: 'author' });
  await givenUser(inner, { userId: fan, username: 'fan' });
  ({ postId } = await createPost(deps, { authorId: author, caption: 'hi', media: [image] }, keyed(author, 'post')));
  ({ storyId } = await postStory(deps, { authorId: author, media: image }, keyed(author, 'story')));
});

/**
 * `deps` whose reads of streams that `delayed` picks hold their answer (read before) until
 * `landed()` is called; `reading` resolves once the first such read was made.
 */
const racing = (delayed: (streamId: string) => boolean) => {
  let land!: () => void;
  const landedGate = new Promise<void>((resolve) => (land = resolve));
  let read!: () => void;
  const reading = new Promise<void>((resolve) => (read = resolve));
  let held = true;
  /** `answer`, held back when it is a read of a delayed stream before the block landed. */
  const slow = async <T>(streamId: string, answer: T): Promise<T> => {
    if (held && delayed(streamId)) {
      read();
      await landedGate;
    }
    return answer;
  };
  // Both ways of reading a stream: whole, and from its snapshot.
  const store: EventStore = {
    ...inner,
    readStream: async (streamId, from) => slow(streamId, await inner.readStream(streamId, from)),
    ...(inner.snapshots && {
      snapshots: { ...inner.snapshots, readFromSnapshot: async (streamId, key) => slow(streamId, await inner.snapshots!.readFromSnapshot(streamId, key)) },
    }),
  };
  return {
    deps: { ...deps, store },
    reading,
    landed: () => {
      held = false;
      land();
    },
  };
};

/** Runs `engage` against a block by `blockerId` of `blockedId` appended while it reads the block streams; what `engage` answered. */
const engageDuringBlock = async <T>(engage: (raceDeps: CommandDeps) => Promise<T>, blockerId: string, blockedUsername: string) => {
  const race = racing((streamId) => streamId.startsWith('block-'));
  const engagement = engage(race.deps).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await race.reading;
  await block(deps, { blockerId, username: blockedUsername }, ctx);
  race.landed();
  return engagement;
};

const postGone = { status: 404, code: 'POST_NOT_FOUND' };

describe('an engagement racing a block does not survive it', () => {
  for (const [side, blockerId, blocked] of [
    ['the author blocks the fan', author, 'fan'],
    ['the fan blocks the author', fan, 'author'],
  ] as const) {
    it(`a like is taken back and refused as a missing post (${side})`, async () => {
      const outcome = await engageDuringBlock((raceDeps) => like(raceDeps, { userId: fan, postId }, ctx), blockerId, blocked);
      expect(outcome).toMatchObject({ error: postGone });
      expect(await typesIn(inner, streams.like(postId, fan))).toEqual(['Liked', 'Unliked']);
    });
  }

  it('a bookmark is taken back and refused as a missing post', async () => {
    const outcome = await engageDuringBlock((raceDeps) => bookmark(raceDeps, { userId: fan, postId }, ctx), author, 'fan');
    expect(outcome).toMatchObject({ error: postGone });
    expect(await typesIn(inner, streams.bookmark(fan, postId))).toEqual(['Bookmarked', 'Unbookmarked']);
  });

  // commands/collections/collections.ts: the collection decided on the stale facts; the bookmark that follows reads fresh ones.
  it('a post added to a collection leaves it again, unsaved, and is refused as a missing post', async () => {
    const { collectionId } = await createCollection(deps, { ownerId: fan, name: 'Saved' }, keyed(fan, 'collection'));
    const outcome = await engageDuringBlock((raceDeps) => addToCollection(raceDeps, { actorId: fan, collectionId, postId }, ctx), author, 'fan');
    expect(outcome).toMatchObject({ error: postGone });
    expect(await typesIn(inner, streams.collection(collectionId))).toEqual(['CollectionCreated', 'PostAddedToCollection', 'PostRemovedFromCollection']);
    expect(await typesIn(inner, streams.bookmark(fan, postId))).toEqual([]);
  });

  it('a comment is deleted again and refused as a missing post', async () => {
    const commentCtx = keyed(fan, 'comment');
    const outcome = await engageDuringBlock(
      (raceDeps) => addComment(raceDeps, { authorId: fan, postId, text: 'hi', parentCommentId: null }, commentCtx),
      author,
      'fan',
    );
    expect(outcome).toMatchObject({ error: postGone });
    expect(await typesIn(inner, streams.comment(entityIdFor(commentCtx, 'comment')))).toEqual(['CommentAdded', 'CommentDeleted']);
  });

  it('a story view is refused as a missing story (the recorded view has no event to withdraw it)', async () => {
    const outcome = await engageDuringBlock((raceDeps) => viewStory(raceDeps, { viewerId: fan, storyId }, ctx), author, 'fan');
    expect(outcome).toMatchObject({ error: { status: 404, code: 'STORY_NOT_FOUND' } });
  });

  it('a like racing a switch to private by an author the fan does not follow is taken back with 403 PRIVATE_ACCOUNT', async () => {
    const race = racing((streamId) => streamId === streams.user(author));
    const liking = like(race.deps, { userId: fan, postId }, ctx).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await race.reading;
    await given(inner, streams.user(author), [{ type: 'PrivacyChanged', data: { userId: author, private: true } }]);
    race.landed();
    expect(await liking).toMatchObject({ error: { status: 403, code: 'PRIVATE_ACCOUNT' } });
    expect(await typesIn(inner, streams.like(postId, fan))).toEqual(['Liked', 'Unliked']);
  });

  it('an engagement that lands before the block is an earlier one: it stands', async () => {
    expect((await like(deps, { userId: fan, postId }, ctx)).liked).toBe(true);
    await block(deps, { blockerId: author, username: 'fan' }, ctx);
    expect(await typesIn(inner, streams.like(postId, fan))).toEqual(['Liked']);
  });
});
