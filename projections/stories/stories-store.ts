import type { EventsOf, MediaItem, Position } from '../../events/index.js';
import type { StoryBatch } from './story-facts.js';

// The stories read model's port. Two adapters sit beside it (Redis, and PostgreSQL where Redis is
// not configured) and pass one contract suite (test/integration/stories-store.contract.ts).
// The projection folds each batch (story-facts.ts) and hands the store the result to write; the reader (stories-reader.ts) builds its answers on the
// queries below, so the rules about what a viewer may see live in one place.

export const storiesEventTypes = ['StoryPosted', 'StoryViewed', 'StoryDeleted', 'StoryExpired'] as const;
export type StoriesEvent = EventsOf<(typeof storiesEventTypes)[number]>;

/**
 * What the log says happened to a story (the write side's story status, less 'none': a story is
 * only recorded once posted); a read with a clock may still call an active one expired.
 */
export type StoryStatus = 'active' | 'expired' | 'deleted';

export interface Story {
  id: string;
  authorId: string;
  media: MediaItem;
  postedAt: string;
  expiresAt: string;
  state: StoryStatus;
  /** The post a shared story shows (POST /posts/{id}/share); null for an ordinary story. */
  sharedPost: SharedPost | null;
}

export interface SharedPost {
  postId: string;
  authorId: string;
}

export interface StoryViewer {
  viewerId: string;
  viewedAt: string;
}

/** A place in a story's viewer list, newest first: the (viewedAt, viewerId) of the last item served. */
export interface ViewerKey {
  viewedAtMs: number;
  viewerId: string;
}

export interface StoriesStore {
  /** Creates tables (and the checkpoint table); idempotent, safe at every start. */
  setup(): Promise<void>;
  /**
   * Writes a folded batch, then stores `position` under `checkpointKey` (PostgreSQL: in the same
   * transaction; Redis: after the writes). Idempotent: writing the same batch again changes nothing.
   */
  write(batch: StoryBatch, checkpointKey: string, position: Position): Promise<void>;
  checkpoint(checkpointKey: string): Promise<Position>;

  /** Per requested author, their stories not deleted or expired and with expiresAt after `nowMs`, oldest first. */
  liveStories(authorIds: readonly string[], nowMs: number): Promise<Map<string, Story[]>>;
  /** The story as recorded (whatever its state), or null when its StoryPosted has not been projected. */
  story(storyId: string): Promise<Story | null>;
  /** Those of `storyIds` that `viewerId` has viewed. */
  seenBy(viewerId: string, storyIds: readonly string[]): Promise<Set<string>>;
  /** Up to `limit` viewers, newest first (ties by viewerId, descending), strictly after `after`. */
  viewers(storyId: string, after: ViewerKey | null, limit: number): Promise<Array<StoryViewer & ViewerKey>>;
  /** Stories with expiresAt at or before `nowMs`, neither expired nor deleted yet, earliest first. */
  dueForExpiry(nowMs: number, limit: number): Promise<string[]>;
}
