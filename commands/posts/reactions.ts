import { bookmarkDecider } from '../../domain/bookmark/bookmark.js';
import { likeDecider } from '../../domain/like/like.js';
import { streams } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { loadPostFacts } from '../facts.js';
import { handleCommand } from '../handle-command.js';

// Likes and bookmarks: one short stream per (post, user) pair, toggled idempotently. Undoing
// needs no facts about the post: it only ever cleans up.

export const like = async (deps: CommandDeps, userId: string, postId: string, ctx: CommandContext) => {
  const { position, state } = await handleCommand(
    deps.store,
    streams.like(postId, userId),
    likeDecider,
    async () => ({ type: 'Like', postId, userId, post: await loadPostFacts(deps.store, userId, postId), now: ctx.now }),
    ctx,
  );
  return { liked: state.liked, position };
};

export const unlike = async (deps: CommandDeps, userId: string, postId: string, ctx: CommandContext) => {
  const { position, state } = await handleCommand(
    deps.store,
    streams.like(postId, userId),
    likeDecider,
    () => ({ type: 'Unlike', postId, userId }),
    ctx,
  );
  return { liked: state.liked, position };
};

export const bookmark = async (deps: CommandDeps, userId: string, postId: string, ctx: CommandContext) => {
  const { position, state } = await handleCommand(
    deps.store,
    streams.bookmark(userId, postId),
    bookmarkDecider,
    async () => ({ type: 'Bookmark', userId, postId, post: await loadPostFacts(deps.store, userId, postId), now: ctx.now }),
    ctx,
  );
  return { bookmarked: state.bookmarked, position };
};

export const unbookmark = async (deps: CommandDeps, userId: string, postId: string, ctx: CommandContext) => {
  const { position, state } = await handleCommand(
    deps.store,
    streams.bookmark(userId, postId),
    bookmarkDecider,
    () => ({ type: 'Unbookmark', userId, postId }),
    ctx,
  );
  return { bookmarked: state.bookmarked, position };
};
