import type pg from 'pg';
import { BLOCKED_EITHER_WAY, FOLLOWS, LISTED, MUTES } from './access-sql.js';
import { isUuid } from './keyset.js';
import { LIVE, postFieldsOf, tagsShownTo, type PostOwnRow } from './reader-posts.js';
import type { HydratedPost, UserProfile } from './reader-types.js';
import { PROFILE_COLUMNS, profileOf, type ProfileRow } from './reader-users.js';

// What the API's card cache (read-api/card-cache.ts) loads on a miss: the viewer-independent part
// of posts and users, and the viewer-author facts the access rule reads, each kind for a whole
// request's misses in ONE query. Every id asked for gets an answer (null: no such live post, no
// such registered user), so that the cache can keep the absence too.

/**
 * A live post (created, not deleted), without its author's fields and the viewer's marks, its
 * items with every standing tag of a listed person (the same for every viewer).
 * `taggedIds`: everyone its items were tagged with (taken off since, or unlisted, too): whose
 * lifecycle changes its card, which shows only the standing tags of listed people (read-api/card-cache.ts).
 * `standingTags`: the people those shown tags name, each once: the card cache leaves out, per
 * viewer, the tags of those a block stands between with the viewer (kernel/access.ts `tagShownTo`).
 */
export type PostCardFacts = Omit<HydratedPost, 'author' | 'likedByMe' | 'bookmarkedByMe'> & {
  authorId: string;
  taggedIds: string[];
  standingTags: StandingTag[];
};

/** A person a post's items stand tagged with, listed now: their id (for the viewer's pair facts) and the username the items show. */
export interface StandingTag {
  userId: string;
  username: string;
}

/** A registered user (username not null), with LISTED (access-sql.ts) as read. */
export interface UserCardFacts extends UserProfile {
  listed: boolean;
}

/** What kernel/access.ts's rule and the profile's relationship read of one viewer-user pair. */
export interface PairFacts {
  /** The viewer's follow of the other is accepted. */
  following: boolean;
  /** The viewer asked to follow the other, who has not answered. */
  requested: boolean;
  /** The other follows the viewer. */
  followedBy: boolean;
  blockedEitherWay: boolean;
  /** The viewer mutes the other: the home feed leaves their posts out (read-api/card-cache.ts visiblePosts). */
  muting: boolean;
}

export const NO_PAIR_FACTS: PairFacts = { following: false, requested: false, followedBy: false, blockedEitherWay: false, muting: false };

/** Everyone the stored items tag (ids as stored: PostCreated's media), each once. */
const taggedUserIds = (media: PostOwnRow['media']): string[] => [...new Set(media.flatMap((item) => item.tags?.map((tag) => tag.userId) ?? []))];

const uuids = (ids: readonly string[]) => [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];

/** Each id (lowercased) to its live post, or null. */
export const postCards = async (db: pg.Pool, ids: readonly string[]): Promise<Map<string, PostCardFacts | null>> => {
  const valid = uuids(ids);
  const found = new Map<string, PostCardFacts | null>(valid.map((id) => [id, null]));
  if (valid.length === 0) return found;
  const { rows } = await db.query<PostOwnRow>({
    name: 'profiles-post-cards',
    text: `select p.id, p.author_id, p.caption, p.hashtags, p.mentions, p.media, p.location, p.created_at, p.like_count, p.comment_count, p.share_count, ${tagsShownTo(null)}
     from posts p where p.id = any($1::uuid[]) and ${LIVE}`,
    values: [valid],
  });
  for (const row of rows) {
    const standingTags = row.tags.map(({ userId, username }) => ({ userId, username }));
    found.set(row.id, { ...postFieldsOf(row), authorId: row.author_id, taggedIds: taggedUserIds(row.media), standingTags });
  }
  return found;
};

const USER_CARD = `select ${PROFILE_COLUMNS}, ${LISTED('u')} is true as listed from users u`;
type UserCardRow = ProfileRow & { listed: boolean };
const userCardOf = (row: UserCardRow): UserCardFacts => ({ ...profileOf(row), listed: row.listed });

/** Each id (lowercased) to its registered user, or null. */
export const userCards = async (db: pg.Pool, ids: readonly string[]): Promise<Map<string, UserCardFacts | null>> => {
  const valid = uuids(ids);
  const found = new Map<string, UserCardFacts | null>(valid.map((id) => [id, null]));
  if (valid.length === 0) return found;
  const { rows } = await db.query<UserCardRow>({
    name: 'profiles-user-cards',
    text: `${USER_CARD} where u.id = any($1::uuid[]) and u.username is not null`,
    values: [valid],
  });
  for (const row of rows) found.set(row.id, userCardOf(row));
  return found;
};

/** The registered user holding the username, or null. */
export const userCardByUsername = async (db: pg.Pool, username: string): Promise<UserCardFacts | null> => {
  const { rows } = await db.query<UserCardRow>({
    name: 'profiles-user-card-by-username',
    text: `${USER_CARD} where u.username = $1 limit 1`,
    values: [username.toLowerCase()],
  });
  return rows[0] ? userCardOf(rows[0]) : null;
};

/** The facts of `viewerId` with each of `otherIds` (lowercased), in one query; none for a viewer that is no UUID. */
export const pairFacts = async (db: pg.Pool, viewerId: string, otherIds: readonly string[]): Promise<Map<string, PairFacts>> => {
  const valid = uuids(otherIds);
  if (valid.length === 0 || !isUuid(viewerId)) return new Map(valid.map((id) => [id, NO_PAIR_FACTS]));
  const { rows } = await db.query<{ id: string; following: boolean; requested: boolean; followed_by: boolean; blocked: boolean; muting: boolean }>({
    name: 'profiles-pair-facts',
    text: `select o.id, ${FOLLOWS('$1::uuid', 'o.id')} as following,
       exists (select 1 from follows f where f.follower_id = $1::uuid and f.followee_id = o.id and f.status = 'requested') as requested,
       ${FOLLOWS('o.id', '$1::uuid')} as followed_by,
       ${BLOCKED_EITHER_WAY('$1::uuid', 'o.id')} as blocked,
       ${MUTES('$1::uuid', 'o.id')} as muting
     from unnest($2::uuid[]) as o(id)`,
    values: [viewerId, valid],
  });
  return new Map(rows.map((row) => [row.id, { following: row.following, requested: row.requested, followedBy: row.followed_by, blockedEitherWay: row.blocked, muting: row.muting }]));
};

/** Whether `viewerId` likes and bookmarks each of `postIds` (lowercased), in one query (read-api/viewer-marks.ts). */
export const viewerMarks = async (db: pg.Pool, viewerId: string, postIds: readonly string[]): Promise<Map<string, { liked: boolean; bookmarked: boolean }>> => {
  const valid = uuids(postIds);
  if (valid.length === 0 || !isUuid(viewerId)) return new Map(valid.map((id) => [id, { liked: false, bookmarked: false }]));
  const { rows } = await db.query<{ id: string; liked: boolean; bookmarked: boolean }>({
    name: 'profiles-viewer-marks',
    text: `select p.id,
       exists (select 1 from likes l where l.post_id = p.id and l.user_id = $1::uuid and l.active) as liked,
       exists (select 1 from bookmarks b where b.user_id = $1::uuid and b.post_id = p.id and b.active) as bookmarked
     from unnest($2::uuid[]) as p(id)`,
    values: [viewerId, valid],
  });
  return new Map(rows.map((row) => [row.id, { liked: row.liked, bookmarked: row.bookmarked }]));
};
