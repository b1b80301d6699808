import { bookmarkDecider, type BookmarkCommand } from '../../domain/bookmark/bookmark.js';
import { likeDecider, type LikeCommand } from '../../domain/like/like.js';
import { assertPostUsable, type PostFacts } from '../../domain/post/post-facts.js';
import { streams } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { loadPostFacts } from '../facts.js';
import { handleCommand, type BuildCommand } from '../handle-command.js';
import { accessAfterAppend } from '../recheck-access.js';
import { assertRegisteredActor } from '../registered-actor.js';

// Likes and bookmarks: one short stream per (post, user) pair, toggled idempotently. Undoing
// needs no facts about the post: it only ever cleans up.

/** Who reacts to which post. */
export interface Reaction {
  userId: string;
  postId: string;
}

/** One command on the like-{postId}-{userId} stream, answered with whether the post is liked now. */
const onLikeStream = async (deps: CommandDeps, { userId, postId }: Reaction, command: BuildCommand<LikeCommand>, ctx: CommandContext) => {
  const { position, state, appended } = await handleCommand({ store: deps.store, stream: streams.like(postId, userId), decider: likeDecider, command, ctx });
  return { liked: state.liked, position, appended };
};

/** One command on the bookmark-{userId}-{postId} stream, answered with whether it is bookmarked now. */
const onBookmarkStream = async (deps: CommandDeps, { userId, postId }: Reaction, command: BuildCommand<BookmarkCommand>, ctx: CommandContext) => {
  const { position, state, appended } = await handleCommand({ store: deps.store, stream: streams.bookmark(userId, postId), decider: bookmarkDecider, command, ctx });
  return { bookmarked: state.bookmarked, position, appended };
};

/**
 * Likes or bookmarks (`react`, deciding on the post facts it is given), then re-checks the access
 * it was decided on (commands/recheck-access.ts): when a block or a switch to private landed
 * meanwhile, `undo` takes it back and the answer is the refusal a fresh attempt would get.
 */
const reactOnce = async <Answer extends { appended: number }>(
  deps: CommandDeps,
  { userId, postId }: Reaction,
  react: (loadFacts: () => Promise<PostFacts>) => Promise<Answer>,
  undo: () => Promise<unknown>,
): Promise<Omit<Answer, 'appended'>> => {
  await assertRegisteredActor(deps.store, userId);
  let decidedOn: PostFacts | null = null;
  const { appended, ...answer } = await react(async () => (decidedOn = await loadPostFacts(deps.store, userId, postId)));
  const facts = decidedOn as PostFacts | null;
  if (appended > 0 && facts?.status === 'active') {
    const access = await accessAfterAppend(deps, { actorId: userId, ownerId: facts.authorId }, undo);
    assertPostUsable({ ...facts, access });
  }
  return answer;
};

export const like = (deps: CommandDeps, reaction: Reaction, ctx: CommandContext) =>
  reactOnce(
    deps,
    reaction,
    (loadFacts) => onLikeStream(deps, reaction, async () => ({ type: 'Like', ...reaction, post: await loadFacts() }), ctx),
    () => unlike(deps, reaction, ctx),
  );

export const unlike = async (deps: CommandDeps, { userId, postId }: Reaction, ctx: CommandContext) => {
  const { liked, position } = await onLikeStream(deps, { userId, postId }, () => ({ type: 'Unlike', postId, userId }), ctx);
  return { liked, position };
};

export const bookmark = (deps: CommandDeps, reaction: Reaction, ctx: CommandContext) =>
  reactOnce(
    deps,
    reaction,
    (loadFacts) => onBookmarkStream(deps, reaction, async () => ({ type: 'Bookmark', ...reaction, post: await loadFacts() }), ctx),
    () => unbookmark(deps, reaction, ctx),
  );

export const unbookmark = async (deps: CommandDeps, { userId, postId }: Reaction, ctx: CommandContext) => {
  const { bookmarked, position } = await onBookmarkStream(deps, { userId, postId }, () => ({ type: 'Unbookmark', userId, postId }), ctx);
  return { bookmarked, position };
};
