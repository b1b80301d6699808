// What the eraser must end of one person (docs/architecture.md "The erasure worker"), read from
// the read models in pages: the port, and its PostgreSQL adapter beside it (inventory-postgres.ts).
// Read as they are stored, not through the readers: the readers hide an account in its grace
// period, and the eraser needs exactly what they hide. Every page is keyset-paged by id, so a
// person with 100k likes is read a page at a time, and a row that changes while the cascade runs
// (a post deleted, a like ended) is neither skipped nor read twice.

/** One follow stream the person is on, either way, with a follow or a pending request. */
export interface FollowPair {
  followerId: string;
  followeeId: string;
}

/** One mute stream the person is on, either way, with a standing mute. */
export interface MutePair {
  muterId: string;
  mutedId: string;
}

export interface ErasureInventory {
  /** Their posts not deleted, by id after `after`. */
  posts(userId: string, after: string | null, limit: number): Promise<string[]>;
  /** Their comments not deleted (on anyone's post). */
  comments(userId: string, after: string | null, limit: number): Promise<string[]>;
  /** The posts they like now. */
  likedPosts(userId: string, after: string | null, limit: number): Promise<string[]>;
  /** The posts they have bookmarked now. */
  bookmarkedPosts(userId: string, after: string | null, limit: number): Promise<string[]>;
  /** Their collections not deleted. */
  collections(userId: string, after: string | null, limit: number): Promise<string[]>;
  /** Follows and requests they are either side of (status requested or following), by (follower, followee). */
  follows(userId: string, after: FollowPair | null, limit: number): Promise<FollowPair[]>;
  /** Standing mutes they are either side of, by (muter, muted). */
  mutes(userId: string, after: MutePair | null, limit: number): Promise<MutePair[]>;
  /** The hashtags they follow now, by tag. */
  followedHashtags(userId: string, after: string | null, limit: number): Promise<string[]>;
  /** The posts they stand tagged in (user tags), by post id. */
  taggedPosts(userId: string, after: string | null, limit: number): Promise<string[]>;
  /** Their uploads not deleted or expired (avatars, post and story media, uploads never used). */
  media(userId: string, after: string | null, limit: number): Promise<string[]>;
}
