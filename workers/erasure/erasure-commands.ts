import type { CommandContext } from '../../commands/command-context.js';

// The commands the eraser issues, as the person whose account it erases (or as the system for the
// last two), through the ordinary handlers of commands/: bound to their dependencies by the
// composition (app/erasure-worker.ts). Each is idempotent: ending what has ended appends nothing.

export interface ErasureCommands {
  deletePost(input: { actorId: string; postId: string }, ctx: CommandContext): Promise<unknown>;
  deleteComment(input: { actorId: string; commentId: string }, ctx: CommandContext): Promise<unknown>;
  deleteStory(input: { actorId: string; storyId: string }, ctx: CommandContext): Promise<unknown>;
  unlike(input: { userId: string; postId: string }, ctx: CommandContext): Promise<unknown>;
  unbookmark(input: { userId: string; postId: string }, ctx: CommandContext): Promise<unknown>;
  deleteCollection(input: { actorId: string; collectionId: string }, ctx: CommandContext): Promise<unknown>;
  /** EndFollow with reason 'account-erased': ends a follow or a pending request, either way. */
  endFollow(input: { followerId: string; followeeId: string }, ctx: CommandContext): Promise<unknown>;
  /** Unmute: ends a mute, either way (the same command as the route's). */
  endMute(input: { muterId: string; mutedId: string }, ctx: CommandContext): Promise<unknown>;
  /** UnfollowHashtag (the same command as the route's): the hashtag's posts leave their home feed. */
  unfollowHashtag(input: { userId: string; tag: string }, ctx: CommandContext): Promise<unknown>;
  /** RemoveTag by the tagged person: takes them off every item of the post (no-op when not tagged). */
  removeTag(input: { postId: string; userId: string }, ctx: CommandContext): Promise<unknown>;
  /** DeleteMedia: the storage keys to delete when the media is (now or already) deleted; [] when it was never attached. */
  deleteMedia(input: { mediaId: string }, ctx: CommandContext): Promise<readonly string[]>;
  /** EraseAccount on the user stream (AccountErased, once). */
  eraseAccount(input: { userId: string }, ctx: CommandContext): Promise<unknown>;
  /** ReleaseUsername on the username stream (UsernameReleased, once). */
  releaseUsername(input: { username: string; userId: string }, ctx: CommandContext): Promise<unknown>;
}
