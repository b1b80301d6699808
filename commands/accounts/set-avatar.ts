import { userDecider } from '../../domain/user/user.js';
import { streams, type Position, type UploadedMediaItem } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { handleCommand } from '../handle-command.js';
import { loadState } from '../load-state.js';
import { attachMedia, releaseMedia } from '../media/media.js';

// PUT /users/{username}/avatar {mediaId} and DELETE of the same path (docs/architecture.md "Media").
// The upload is attached first (purpose avatar, target the user: commands/media refuses another
// user's media, unready, rejected or already attached media, and media uploaded for a post), then
// AvatarChanged is appended to the user stream with the processed item; if that fails, the upload
// is released again. The avatar it replaces is the janitor's to delete (workers/media, on
// AvatarChanged).

const recordAvatar = async (deps: CommandDeps, userId: string, avatar: UploadedMediaItem | null, ctx: CommandContext): Promise<Position> =>
  (
    await handleCommand({
      store: deps.store,
      stream: streams.user(userId),
      decider: userDecider,
      command: () => ({ type: 'SetAvatar', actorId: userId, userId, avatar }),
      ctx,
    })
  ).position;

export const setAvatar = async (
  deps: CommandDeps,
  { userId, mediaId }: { userId: string; mediaId: string },
  ctx: CommandContext,
): Promise<{ userId: string; avatar: string; position: Position }> => {
  const current = await loadState(deps.store, streams.user(userId), userDecider);
  // The avatar it has already (a retried request): nothing to attach, nothing to append.
  if (current.status === 'active' && current.avatarId === mediaId.toLowerCase()) {
    return { userId, avatar: mediaId, position: await deps.store.headPosition() };
  }
  const [avatar] = await attachMedia(deps, { actorId: userId, mediaIds: [mediaId], purpose: 'avatar', targetId: userId }, ctx);
  try {
    return { userId, avatar: mediaId, position: await recordAvatar(deps, userId, avatar!, ctx) };
  } catch (error) {
    await releaseMedia(deps, { mediaIds: [mediaId], targetId: userId }, ctx).catch(() => undefined);
    throw error;
  }
};

export const removeAvatar = async (deps: CommandDeps, { userId }: { userId: string }, ctx: CommandContext): Promise<{ userId: string; position: Position }> => ({
  userId,
  position: await recordAvatar(deps, userId, null, ctx),
});
