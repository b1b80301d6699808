import { commentDecider } from '../../domain/comment/comment.js';
import { commentFacts } from '../../domain/comment/comment-facts.js';
import { assertPostUsable, type PostFacts } from '../../domain/post/post-facts.js';
import { streams, type Position } from '../../events/index.js';
import { entityIdFor, type CommandContext } from '../command-context.js';
import { earlierCreation } from '../created-once.js';
import type { CommandDeps } from '../deps.js';
import { loadPostFacts } from '../facts.js';
import { answerWithPosition, createStream } from '../handle-command.js';
import { assertRegisteredActor } from '../registered-actor.js';
import { loadState } from '../load-state.js';
import { accessAfterAppend } from '../recheck-access.js';

const loadCommentFacts = async (deps: CommandDeps, commentId: string) =>
  commentFacts(await loadState(deps.store, streams.comment(commentId), commentDecider));

export interface NewComment {
  authorId: string;
  postId: string;
  text: string;
  /** The comment this one answers, or null for a comment on the post itself. */
  parentCommentId: string | null;
}

export const addComment = async (
  deps: CommandDeps,
  { authorId, postId, text, parentCommentId }: NewComment,
  ctx: CommandContext,
): Promise<{ commentId: string; position: Position }> => {
  const commentId = entityIdFor(ctx, 'comment');
  const stream = streams.comment(commentId);
  // A retry of a keyed comment answers the comment its first run made (commands/created-once.ts).
  const earlier = await earlierCreation(deps.store, stream, ctx);
  if (earlier) return { commentId, position: earlier.position };
  await assertRegisteredActor(deps.store, authorId);
  const answer = (position: Position) => ({ commentId, position });
  let decidedOn: PostFacts | null = null;
  const added = await createStream(
    {
      store: deps.store,
      stream,
      decider: commentDecider,
      command: async () => ({
        type: 'AddComment',
        commentId,
        postId,
        authorId,
        text,
        parentCommentId,
        post: (decidedOn = await loadPostFacts(deps.store, authorId, postId)),
        parent: parentCommentId ? await loadCommentFacts(deps, parentCommentId) : null,
      }),
      ctx,
    },
    ({ position }) => answer(position),
    (creation) => answer(creation.position),
  );
  // A block or a switch to private that landed meanwhile takes the comment back (commands/recheck-access.ts).
  const facts = decidedOn as PostFacts | null;
  if (facts?.status === 'active') {
    const access = await accessAfterAppend(deps, { actorId: authorId, ownerId: facts.authorId }, () => deleteComment(deps, { actorId: authorId, commentId }, ctx));
    assertPostUsable({ ...facts, access });
  }
  return added;
};

/** By the comment's author or the post's author (who moderates their own post). */
export const deleteComment = (deps: CommandDeps, { actorId, commentId }: { actorId: string; commentId: string }, ctx: CommandContext) =>
  answerWithPosition(
    { commentId },
    { store: deps.store, stream: streams.comment(commentId), decider: commentDecider, command: () => ({ type: 'DeleteComment', commentId, actorId }), ctx },
  );
