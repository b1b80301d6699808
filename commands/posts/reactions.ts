import { bookmarkDecider, type BookmarkCommand } from '../../domain/bookmark/bookmark.js';
import { likeDecider, type LikeCommand } from '../../domain/like/like.js';
import { streams } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { loadPostFacts } from '../facts.js';
import { handleCommand, type BuildCommand } from '../handle-command.js';

// Likes and bookmarks: one short stream per (post, user) pair, toggled idempotently. Undoing
// needs no facts about the post: it only ever cleans up.

/** Who reacts to which post. */
export interface Reaction {
  userId: string;
  postId: string;
}

/** One command on the like-{postId}-{userId} stream, answered with whether the post is liked now. */
const onLikeStream = async (deps: CommandDeps, { userId, postId }: Reaction, command: BuildCommand<LikeCommand>, ctx: CommandContext) => {
  const { position, state } = await handleCommand({ store: deps.store, stream: streams.like(postId, userId), decider: likeDecider, command, ctx });
  return { liked: state.liked, position };
};

/** One command on the bookmark-{userId}-{postId} stream, answered with whether it is bookmarked now. */
const onBookmarkStream = async (deps: CommandDeps, { userId, postId }: Reaction, command: BuildCommand<BookmarkCommand>, ctx: CommandContext) => {
  const { position, state } = await handleCommand({ store: deps.store, stream: streams.bookmark(userId, postId), decider: bookmarkDecider, command, ctx });
  return { bookmarked: state.bookmarked, position };
};

export const like = (deps: CommandDeps, { userId, postId }: Reaction, ctx: CommandContext) =>
  onLikeStream(deps, { userId, postId }, async () => ({ type: 'Like', postId, userId, post: await loadPostFacts(deps.store, userId, postId) }), ctx);

export const unlike = (deps: CommandDeps, { userId, postId }: Reaction, ctx: CommandContext) =>
  onLikeStream(deps, { userId, postId }, () => ({ type: 'Unlike', postId, userId }), ctx);

export const bookmark = (deps: CommandDeps, { userId, postId }: Reaction, ctx: CommandContext) =>
  onBookmarkStream(deps, { userId, postId }, async () => ({ type: 'Bookmark', userId, postId, post: await loadPostFacts(deps.store, userId, postId) }), ctx);

export const unbookmark = (deps: CommandDeps, { userId, postId }: Reaction, ctx: CommandContext) =>
  onBookmarkStream(deps, { userId, postId }, () => ({ type: 'Unbookmark', userId, postId }), ctx);
