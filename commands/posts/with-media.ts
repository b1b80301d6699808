import { assertExternalMediaAllowed, type MediaInput } from '../../domain/post/external-media.js';
import type { MediaItem, MediaPurpose } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { attachMedia, releaseMedia } from '../media/media.js';

// How a post or story takes its media (docs/architecture.md "Media"): the external URLs are
// checked first (domain/post/external-media.ts), without writing anything; then the
// uploads are attached to the post or story about to exist, attach-first like the username
// reservation (commands/media: every media item is checked, owner, ready, unattached, purpose,
// before any is attached; a lost race releases what it attached and answers 422); then the post's
// or story's own event is appended with the uploaded items in place. If that append fails, the
// uploads are released again, so they can be used by another try.

export interface MediaTarget {
  actorId: string;
  inputs: readonly MediaInput[];
  purpose: MediaPurpose;
  targetId: string;
  /** The request field of item `index`, for error details (`media.2`, or `media` for a story). */
  pathOf: (index: number) => string;
}

export const withAttachedMedia = async <T>(
  deps: CommandDeps,
  { actorId, inputs, purpose, targetId, pathOf }: MediaTarget,
  ctx: CommandContext,
  record: (media: MediaItem[]) => Promise<T>,
): Promise<T> => {
  assertExternalMediaAllowed(inputs, deps.mediaExternalHosts, pathOf);
  const mediaIds = inputs.flatMap((input) => ('mediaId' in input ? [input.mediaId] : []));
  const attached = mediaIds.length > 0 ? await attachMedia(deps, { actorId, mediaIds, purpose, targetId }, ctx) : [];
  let next = 0;
  const media = inputs.map((input): MediaItem => ('mediaId' in input ? attached[next++]! : input));
  try {
    return await record(media);
  } catch (error) {
    // The original refusal is the answer. A release that fails too (the store is down) leaves
    // the uploads attached to a post that never came to be: unusable, but nothing is shown.
    if (mediaIds.length > 0) await releaseMedia(deps, { mediaIds, targetId }, ctx).catch(() => undefined);
    throw error;
  }
};
