import { postDecider } from '../../domain/post/post.js';
import { streams, type MediaItem, type Position } from '../../events/index.js';
import { newId, type CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { answerWithPosition, handleCommand } from '../handle-command.js';

export const createPost = async (
  deps: CommandDeps,
  { authorId, caption, media }: { authorId: string; caption: string; media: MediaItem[] },
  ctx: CommandContext,
): Promise<{ postId: string; position: Position }> => {
  const postId = newId();
  const { position } = await handleCommand({
    store: deps.store,
    stream: streams.post(postId),
    decider: postDecider,
    command: () => ({ type: 'CreatePost', postId, authorId, caption, media }),
    ctx,
    newStream: true,
  });
  return { postId, position };
};

export const editCaption = (deps: CommandDeps, { actorId, postId, caption }: { actorId: string; postId: string; caption: string }, ctx: CommandContext) =>
  answerWithPosition(
    { postId },
    { store: deps.store, stream: streams.post(postId), decider: postDecider, command: () => ({ type: 'EditCaption', postId, actorId, caption }), ctx },
  );

export const deletePost = (deps: CommandDeps, { actorId, postId }: { actorId: string; postId: string }, ctx: CommandContext) =>
  answerWithPosition(
    { postId },
    { store: deps.store, stream: streams.post(postId), decider: postDecider, command: () => ({ type: 'DeletePost', postId, actorId }), ctx },
  );
