import { collectionDecider, type CollectionCommand } from '../../domain/collection/collection.js';
import { streams, type Position } from '../../events/index.js';
import { COLLECTION_POSTS_MAX, COLLECTIONS_MAX } from '../../kernel/limits.js';
import { entityIdFor, type CommandContext } from '../command-context.js';
import { earlierCreation } from '../created-once.js';
import type { CommandDeps } from '../deps.js';
import { loadPostFacts } from '../facts.js';
import { answerWithPosition, type BuildCommand, createStream } from '../handle-command.js';
import { bookmark } from '../posts/reactions.js';
import { assertRegisteredActor } from '../registered-actor.js';

// Collections of saved posts (docs/rules.md "Collections"): one collection-{id} stream each.
// Adding a post also bookmarks it, so that the bookmarks list stays the "all saved" view; an
// unbookmark touches no collection: the read side lists only the posts of a collection that are
// still bookmarked (projections/profiles/reader-collections.ts).

const onCollection = <Ids extends object>(deps: CommandDeps, ids: Ids & { collectionId: string }, command: BuildCommand<CollectionCommand>, ctx: CommandContext) =>
  answerWithPosition(ids, { store: deps.store, stream: streams.collection(ids.collectionId), decider: collectionDecider, command, ctx });

export const createCollection = async (
  deps: CommandDeps,
  { ownerId, name }: { ownerId: string; name: string },
  ctx: CommandContext,
): Promise<{ collectionId: string; position: Position }> => {
  const collectionId = entityIdFor(ctx, 'collection');
  const stream = streams.collection(collectionId);
  // A retry of a keyed creation answers the collection its first run made (commands/created-once.ts).
  const earlier = await earlierCreation(deps.store, stream, ctx);
  if (earlier) return { collectionId, position: earlier.position };
  await assertRegisteredActor(deps.store, ownerId);
  const answer = (position: Position) => ({ collectionId, position });
  return createStream(
    {
      store: deps.store,
      stream,
      decider: collectionDecider,
      command: async () => ({
        type: 'CreateCollection',
        collectionId,
        ownerId,
        name,
        owned: { count: await deps.collectionCount(ownerId, COLLECTIONS_MAX), max: COLLECTIONS_MAX },
      }),
      ctx,
    },
    ({ position }) => answer(position),
    (creation) => answer(creation.position),
  );
};

export const renameCollection = (deps: CommandDeps, { actorId, collectionId, name }: { actorId: string; collectionId: string; name: string }, ctx: CommandContext) =>
  onCollection(deps, { collectionId }, () => ({ type: 'RenameCollection', collectionId, actorId, name }), ctx);

export const deleteCollection = (deps: CommandDeps, { actorId, collectionId }: { actorId: string; collectionId: string }, ctx: CommandContext) =>
  onCollection(deps, { collectionId }, () => ({ type: 'DeleteCollection', collectionId, actorId }), ctx);

export interface CollectionPost {
  actorId: string;
  collectionId: string;
  postId: string;
}

export const removeFromCollection = async (deps: CommandDeps, { actorId, collectionId, postId }: CollectionPost, ctx: CommandContext) => ({
  ...(await onCollection(deps, { collectionId, postId }, () => ({ type: 'RemoveFromCollection', collectionId, actorId, postId }), ctx)),
  inCollection: false,
});

/**
 * Files the post in the collection, then saves it (a Bookmarked event unless it is saved already).
 * The collection decides first, so that a stranger's attempt saves nothing; the bookmark then
 * re-checks access as every bookmark does (commands/posts/reactions.ts), and when a block or a
 * switch to private landed meanwhile, the post leaves the collection again and the refusal stands.
 */
export const addToCollection = async (deps: CommandDeps, { actorId, collectionId, postId }: CollectionPost, ctx: CommandContext) => {
  await assertRegisteredActor(deps.store, actorId);
  await onCollection(
    deps,
    { collectionId, postId },
    async () => ({ type: 'AddToCollection', collectionId, actorId, postId, post: await loadPostFacts(deps.store, actorId, postId), postsMax: COLLECTION_POSTS_MAX }),
    ctx,
  );
  try {
    const { position } = await bookmark(deps, { userId: actorId, postId }, ctx);
    return { collectionId, postId, inCollection: true, position };
  } catch (error) {
    await removeFromCollection(deps, { actorId, collectionId, postId }, ctx);
    throw error;
  }
};
