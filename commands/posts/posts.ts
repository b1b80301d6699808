import type { PlaceInput } from '../../domain/location/location.js';
import type { MediaInput } from '../../domain/post/external-media.js';
import { postDecider } from '../../domain/post/post.js';
import { streams, type Position } from '../../events/index.js';
import { entityIdFor, type CommandContext } from '../command-context.js';
import { earlierCreation } from '../created-once.js';
import type { CommandDeps } from '../deps.js';
import { answerWithPosition, createStream } from '../handle-command.js';
import { assertRegisteredActor } from '../registered-actor.js';
import { withAttachedMedia } from './with-media.js';

export const createPost = async (
  deps: CommandDeps,
  { authorId, caption, media, location }: { authorId: string; caption: string; media: readonly MediaInput[]; location?: PlaceInput | undefined },
  ctx: CommandContext,
): Promise<{ postId: string; position: Position }> => {
  const postId = entityIdFor(ctx, 'post');
  const stream = streams.post(postId);
  // A retry of a keyed create answers the post its first run made (commands/created-once.ts).
  const earlier = await earlierCreation(deps.store, stream, ctx);
  if (earlier) return { postId, position: earlier.position };
  await assertRegisteredActor(deps.store, authorId);
  const target = { actorId: authorId, inputs: media, purpose: 'post' as const, targetId: postId, pathOf: (index: number) => `media.${index}` };
  return withAttachedMedia(deps, target, ctx, (items) =>
    createStream(
      { store: deps.store, stream, decider: postDecider, command: () => ({ type: 'CreatePost', postId, authorId, caption, media: items, location }), ctx },
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
