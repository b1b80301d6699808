import type { MediaItem, UploadedMediaItem } from '../../events/index.js';

// What the profiles read model answers; times are ISO-8601 strings (UTC, milliseconds).

export interface UserSummary {
  id: string;
  username: string;
  displayName: string;
  /** The media URL rule needs it (read-api/media-presenter.ts); the routes do not answer it in summaries. */
  private: boolean;
  /** As stored (storage keys): read-api/media-presenter.ts makes its URLs. */
  avatar: UploadedMediaItem | null;
}

export interface UserProfile extends UserSummary {
  bio: string;
  followerCount: number;
  followingCount: number;
  postCount: number;
  registeredAt: string;
  /** An operator's badge (npm run admin -- verify). */
  verified: boolean;
}

/** A user summary with what user search ranks equally good matches by (projections/search/user-ranking.ts Standing). */
export interface RankedSummary extends UserSummary {
  verified: boolean;
  followerCount: number;
}

export interface Relationship {
  /** The viewer follows the other user. */
  following: boolean;
  /** The viewer asked to follow the other user, who has not answered. */
  requested: boolean;
  /** The other user follows the viewer. */
  followedBy: boolean;
  blockedEitherWay: boolean;
  /** The viewer mutes the other user (a fact the muted user is never shown). */
  muting: boolean;
}

export interface FollowRequest extends UserSummary {
  requestedAt: string;
}

/** A post's location as a card shows it (GET /locations/{id}/posts has the rest). */
export interface LocationCard {
  id: string;
  name: string;
}

/** A person tagged on a media item, as served: their username now, and where on the item (fractions from its top left). */
export interface ShownTag {
  username: string;
  x: number;
  y: number;
}

/** A post's media item as the read side serves it: the tagged people by name (the stored ids never leave). */
export type ShownMediaItem = MediaItem & { tags?: ShownTag[] };

export interface HydratedPost {
  id: string;
  author: UserSummary;
  caption: string;
  hashtags: string[];
  mentions: string[];
  media: ShownMediaItem[];
  /** The place the post names, absent when it names none. */
  location?: LocationCard;
  createdAt: string;
  likeCount: number;
  commentCount: number;
  /** Shares of the post to stories, each counted once (a story's deletion or expiry leaves it). */
  shareCount: number;
  likedByMe: boolean;
  bookmarkedByMe: boolean;
}

export interface CommentView {
  id: string;
  postId: string;
  parentId: string | null;
  author: UserSummary;
  text: string;
  createdAt: string;
  replyCount: number;
}

/** Whether a viewer may see an author's content (kernel/access.ts), or 'unknown' for no such author. */
export type { ContentAccess } from '../../kernel/access.js';

/** One of the owner's collections as listed: its newest visible post's first media item is its cover. */
export interface CollectionSummary {
  id: string;
  name: string;
  /** The posts of it the owner sees: still bookmarked, live, and by an author they may see. */
  postCount: number;
  /** With the cover post's author's privacy, which decides how its URL is signed (read-api/media-presenter.ts). */
  cover: { item: MediaItem; author: { private: boolean } } | null;
}

/** One collection (the page of its posts comes apart). */
export interface CollectionView {
  id: string;
  name: string;
  postCount: number;
}
