import { commentDecider } from '../../domain/comment/comment.js';
import { commentFacts } from '../../domain/comment/comment-facts.js';
import { streams, type Position } from '../../events/index.js';
import { newId, type CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { loadPostFacts } from '../facts.js';
import { handleCommand } from '../handle-command.js';
import { loadState } from '../load-state.js';

const loadCommentFacts = async (deps: CommandDeps, commentId: string) =>
  commentFacts(await loadState(deps.store, streams.comment(commentId), commentDecider));

export const addComment = async (
  deps: CommandDeps,
  authorId: string,
  postId: string,
  input: { text: string; parentCommentId: string | null },
  ctx: CommandContext,
): Promise<{ commentId: string; position: Position }> => {
  const commentId = newId();
  const { parentCommentId } = input;
  const { position } = await handleCommand(
    deps.store,
    streams.comment(commentId),
    commentDecider,
    async () => ({
      type: 'AddComment',
      commentId,
      postId,
      authorId,
      text: input.text,
      parentCommentId,
      post: await loadPostFacts(deps.store, authorId, postId),
      parent: parentCommentId ? await loadCommentFacts(deps, parentCommentId) : null,
      now: ctx.now,
    }),
    ctx,
    { newStream: true },
  );
  return { commentId, position };
};

/** By the comment's author or the post's author (who moderates their own post). */
export const deleteComment = async (deps: CommandDeps, actorId: string, commentId: string, ctx: CommandContext) => {
  const { position } = await handleCommand(
    deps.store,
    streams.comment(commentId),
    commentDecider,
    () => ({ type: 'DeleteComment', commentId, actorId, now: ctx.now }),
    ctx,
  );
  return { commentId, position };
};
