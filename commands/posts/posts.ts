import type { PlaceInput } from '../../domain/location/location.js';
import type { MediaInput } from '../../domain/post/external-media.js';
import { postDecider } from '../../domain/post/post.js';
import type { TagRequest } from '../../domain/post/tags.js';
import { AppError } from '../../kernel/errors.js';
import { streams, type Position } from '../../events/index.js';
import { entityIdFor, type CommandContext } from '../command-context.js';
import { earlierCreation } from '../created-once.js';
import type { CommandDeps } from '../deps.js';
import { findUserByUsername, isBlockedEitherWay } from '../facts.js';
import { answerWithPosition, createStream } from '../handle-command.js';
import { assertRegisteredActor, registeredActorGuard } from '../registered-actor.js';
import { withAttachedMedia } from './with-media.js';

/** A person the author tags on an item, named as in the request. */
export interface TagInput {
  username: string;
  x: number;
  y: number;
}

/**
 * What each tagged username is now (domain/post/tags.ts decides on it): its active account, and
 * whether a block either way stands between it and the author. Each name is looked up once; the
 * HTTP schema bounds how many there are (kernel/limits.ts MAX_TAGS_PER_POST).
 */
const resolveTags = async (deps: CommandDeps, authorId: string, tags: readonly (readonly TagInput[])[]): Promise<TagRequest[][]> => {
  // Most posts tag no one: nothing to look up (the same answer, without the set, map and promises).
  if (tags.every((item) => item.length === 0)) return tags.map(() => []);
  const names = [...new Set(tags.flat().map((tag) => tag.username))];
  const found = new Map(
    await Promise.all(
      names.map(async (username) => {
        const userId = await findUserByUsername(deps.store, username).then(
          (user) => user.userId,
          (error: unknown) => {
            if (error instanceof AppError && error.code === 'USER_NOT_FOUND') return null;
            throw error;
          },
        );
        const blockedEitherWay = userId !== null && userId !== authorId && (await isBlockedEitherWay(deps.store, authorId, userId));
        return [username, { userId, blockedEitherWay }] as const;
      }),
    ),
  );
  return tags.map((item) => item.map((tag) => ({ ...tag, ...found.get(tag.username)! })));
};

export const createPost = async (
  deps: CommandDeps,
  {
    authorId,
    caption,
    media,
    location,
    tags = [],
  }: { authorId: string; caption: string; media: readonly MediaInput[]; location?: PlaceInput | undefined; tags?: readonly (readonly TagInput[])[] },
  ctx: CommandContext,
): Promise<{ postId: string; position: Position }> => {
  const postId = entityIdFor(ctx, 'post');
  const stream = streams.post(postId);
  // A retry of a keyed create answers the post its first run made (commands/created-once.ts).
  const earlier = await earlierCreation(deps.store, stream, ctx);
  if (earlier) return { postId, position: earlier.position };
  // Before any media is attached; kept by this process while the account stays as it was, so
  // that the append's guard, not a read of the author's stream, checks it (registered-actor.ts).
  await registeredActorGuard(deps.store, authorId);
  const target = { actorId: authorId, inputs: media, purpose: 'post' as const, targetId: postId, pathOf: (index: number) => `media.${index}` };
  const guards = async (attempt: { fresh: boolean }) => [await registeredActorGuard(deps.store, authorId, attempt)];
  return withAttachedMedia(deps, target, ctx, (items) =>
    createStream(
      {
        store: deps.store,
        stream,
        decider: postDecider,
        command: async () => ({ type: 'CreatePost', postId, authorId, caption, media: items, location, tags: await resolveTags(deps, authorId, tags) }),
        guards,
        ctx,
      },
      ({ position }) => ({ postId, position }),
      (creation) => ({ postId, position: creation.position }),
    ),
  );
};

export const editCaption = async (deps: CommandDeps, { actorId, postId, caption }: { actorId: string; postId: string; caption: string }, ctx: CommandContext) => {
  await assertRegisteredActor(deps.store, actorId);
  return answerWithPosition(
    { postId },
    { store: deps.store, stream: streams.post(postId), decider: postDecider, command: () => ({ type: 'EditCaption', postId, actorId, caption }), ctx },
  );
};

export const deletePost = (deps: CommandDeps, { actorId, postId }: { actorId: string; postId: string }, ctx: CommandContext) =>
  answerWithPosition(
    { postId },
    { store: deps.store, stream: streams.post(postId), decider: postDecider, command: () => ({ type: 'DeletePost', postId, actorId }), ctx },
  );

/**
 * Takes `userId` off the post: the tagged person themself, or the post's author (domain/post/post.ts
 * RemoveTag). Answered with whether the person is tagged now (never), as an unbookmark answers.
 */
export const removeTag = (deps: CommandDeps, { actorId, postId, userId }: { actorId: string; postId: string; userId: string }, ctx: CommandContext) =>
  // An undo, as an unlike: no registration check, so that the erasure worker takes a deleting person's tags off as them.
  answerWithPosition(
    { postId, tagged: false },
    { store: deps.store, stream: streams.post(postId), decider: postDecider, command: () => ({ type: 'RemoveTag', postId, actorId, userId }), ctx },
  );

/** The author takes the account holding `username` off their post (an unknown name: 404 USER_NOT_FOUND). */
export const removeTagOf = async (deps: CommandDeps, { actorId, postId, username }: { actorId: string; postId: string; username: string }, ctx: CommandContext) => {
  const { userId } = await findUserByUsername(deps.store, username);
  return removeTag(deps, { actorId, postId, userId }, ctx);
};
