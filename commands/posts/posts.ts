import { postDecider } from '../../domain/post/post.js';
import { streams, type MediaItem, type Position } from '../../events/index.js';
import { newId, type CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { handleCommand } from '../handle-command.js';

export const createPost = async (
  deps: CommandDeps,
  authorId: string,
  input: { caption: string; media: MediaItem[] },
  ctx: CommandContext,
): Promise<{ postId: string; position: Position }> => {
  const postId = newId();
  const { position } = await handleCommand(
    deps.store,
    streams.post(postId),
    postDecider,
    () => ({ type: 'CreatePost', postId, authorId, caption: input.caption, media: input.media, now: ctx.now }),
    ctx,
    { newStream: true },
  );
  return { postId, position };
};

export const editCaption = async (deps: CommandDeps, actorId: string, postId: string, caption: string, ctx: CommandContext) => {
  const { position } = await handleCommand(
    deps.store,
    streams.post(postId),
    postDecider,
    () => ({ type: 'EditCaption', postId, actorId, caption, now: ctx.now }),
    ctx,
  );
  return { postId, position };
};

export const deletePost = async (deps: CommandDeps, actorId: string, postId: string, ctx: CommandContext) => {
  const { position } = await handleCommand(
    deps.store,
    streams.post(postId),
    postDecider,
    () => ({ type: 'DeletePost', postId, actorId, now: ctx.now }),
    ctx,
  );
  return { postId, position };
};
