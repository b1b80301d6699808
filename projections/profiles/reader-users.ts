import type pg from 'pg';
import { accessTo } from '../../kernel/access.js';
import { BLOCKED_EITHER_WAY, FOLLOWS, LISTED, LISTED_FOR, MAY_SEE, MUTES } from './access-sql.js';
import { toPage, type Page, type PageRequest } from '../runtime/page.js';
import { cursorKey, isUuid, keysetOf } from './keyset.js';
import type { UploadedMediaItem } from '../../events/index.js';
import type { ContentAccess, FollowRequest, RankedSummary, Relationship, UserProfile, UserSummary } from './reader-types.js';

// Users, the graph between them, and who may see whom. Only users whose UserRegistered has been
// applied are served (a row may exist earlier, holding counts); lists of users name listed users
// only (access-sql.ts LISTED: not in their deletion grace, not erased).

interface SummaryRow {
  id: string;
  username: string;
  display_name: string;
  private: boolean;
  avatar: UploadedMediaItem | null;
}
/** The columns of a user summary, of the users row aliased `u`. */
export const SUMMARY_COLUMNS = 'u.id, u.username, u.display_name, u.private, u.avatar';
export const summaryOf = (row: SummaryRow): UserSummary => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  private: row.private,
  avatar: row.avatar,
});

export type ProfileRow = SummaryRow & { bio: string; follower_count: number; following_count: number; post_count: number; registered_at: Date; verified: boolean };
export const PROFILE_COLUMNS = `${SUMMARY_COLUMNS}, u.bio, u.follower_count, u.following_count, u.post_count, u.registered_at, u.verified`;
export const profileOf = (row: ProfileRow): UserProfile => ({
  ...summaryOf(row),
  bio: row.bio,
  followerCount: row.follower_count,
  followingCount: row.following_count,
  postCount: row.post_count,
  registeredAt: row.registered_at.toISOString(),
  verified: row.verified,
});

/**
 * The profile holding the username, whatever its lifecycle state (an erased account holds none):
 * whether the viewer may see it is canSee's answer ('unknown' for an unlisted account of another).
 */
export const userByUsername = async (db: pg.Pool, username: string): Promise<UserProfile | null> => {
  const { rows } = await db.query<ProfileRow>({
    name: 'profiles-user-by-username',
    text: `select ${PROFILE_COLUMNS} from users u where u.username = $1 limit 1`,
    values: [username.toLowerCase()],
  });
  const row = rows[0];
  return row ? profileOf(row) : null;
};

/**
 * userByUsername(), canSee() and relationship() for one viewer in ONE query (the profile page,
 * on every profile view); null for no such username.
 */
export const profileFor = async (
  db: pg.Pool,
  viewerId: string,
  username: string,
): Promise<{ user: UserProfile; access: ContentAccess; relationship: Relationship } | null> => {
  const viewer = isUuid(viewerId) ? viewerId : null;
  const { rows } = await db.query<
    ProfileRow & { listed: boolean; following: boolean; requested: boolean; followed_by: boolean; blocked: boolean; muting: boolean }
  >({
    name: 'profiles-profile-for',
    text: `select ${PROFILE_COLUMNS}, ${LISTED_FOR('$1::uuid', 'u')} is true as listed,
       ${FOLLOWS('$1::uuid', 'u.id')} as following,
       exists (select 1 from follows f where f.follower_id = $1::uuid and f.followee_id = u.id and f.status = 'requested') as requested,
       ${FOLLOWS('u.id', '$1::uuid')} as followed_by,
       ${BLOCKED_EITHER_WAY('$1::uuid', 'u.id')} as blocked,
       ${MUTES('$1::uuid', 'u.id')} as muting
     from users u where u.username = $2 limit 1`,
    values: [viewer, username.toLowerCase()],
  });
  const row = rows[0];
  if (!row) return null;
  const access: ContentAccess = row.listed
    ? accessTo({ actorId: viewerId, ownerId: row.id, ownerIsPrivate: row.private, actorFollowsOwner: row.following, blockedEitherWay: row.blocked })
    : 'unknown';
  const relationship = { following: row.following, requested: row.requested, followedBy: row.followed_by, blockedEitherWay: row.blocked, muting: row.muting };
  return { user: profileOf(row), access, relationship };
};

/** Summaries by id of registered users, for callers that decided who is shown (the stories tray, notification actors). */
export const userSummaries = async (db: pg.Pool, ids: readonly string[]): Promise<Map<string, UserSummary>> => {
  const valid = [...new Set(ids.filter(isUuid))];
  if (valid.length === 0) return new Map();
  const { rows } = await db.query<SummaryRow>(
    `select ${SUMMARY_COLUMNS} from users u where u.id = any($1::uuid[]) and u.username is not null`,
    [valid],
  );
  return new Map(rows.map((row) => [row.id, summaryOf(row)]));
};

export const relationship = async (db: pg.Pool, viewerId: string, otherId: string): Promise<Relationship> => {
  if (!isUuid(viewerId) || !isUuid(otherId)) return { following: false, requested: false, followedBy: false, blockedEitherWay: false, muting: false };
  const { rows } = await db.query<{ following: boolean; requested: boolean; followed_by: boolean; blocked: boolean; muting: boolean }>(
    `select ${FOLLOWS('$1', '$2')} as following,
       exists (select 1 from follows f where f.follower_id = $1 and f.followee_id = $2 and f.status = 'requested') as requested,
       ${FOLLOWS('$2', '$1')} as followed_by,
       ${BLOCKED_EITHER_WAY('$1', '$2')} as blocked,
       ${MUTES('$1', '$2')} as muting`,
    [viewerId, otherId],
  );
  const row = rows[0]!;
  return { following: row.following, requested: row.requested, followedBy: row.followed_by, blockedEitherWay: row.blocked, muting: row.muting };
};

/** A user's followers, or the accounts the user follows: newest follow first. */
const followList = async (db: pg.Pool, userId: string, side: 'followers' | 'following', request: PageRequest): Promise<Page<UserSummary>> => {
  const keyset = keysetOf(request);
  if (!isUuid(userId)) return { items: [], nextCursor: null };
  const [mine, theirs] = side === 'followers' ? ['followee_id', 'follower_id'] : ['follower_id', 'followee_id'];
  const { rows } = await db.query<SummaryRow & { followed_at: Date }>(
    `select ${SUMMARY_COLUMNS}, f.followed_at
     from follows f join users u on u.id = f.${theirs} and ${LISTED('u')}
     where f.${mine} = $1 and f.status = 'following'
       and ($2::timestamptz is null or (f.followed_at, f.${theirs}) < ($2::timestamptz, $3::uuid))
     order by f.followed_at desc, f.${theirs} desc
     limit $4`,
    [userId, keyset.afterTime, keyset.afterId, keyset.limit + 1],
  );
  return toPage(rows, keyset.limit, cursorKey((r) => r.followed_at, (r) => r.id), summaryOf);
};

export const followers = (db: pg.Pool, userId: string, request: PageRequest) => followList(db, userId, 'followers', request);
export const following = (db: pg.Pool, userId: string, request: PageRequest) => followList(db, userId, 'following', request);

/**
 * The accounts a user has blocked, or muted, standing now: newest first, listed accounts only (an
 * account in its deletion grace is hidden from the lists as from everywhere). Their owner's own
 * lists, so that a block, which hides the other profile from both, can still be undone.
 */
const standingList = async (db: pg.Pool, userId: string, table: 'blocks' | 'mutes', request: PageRequest): Promise<Page<UserSummary>> => {
  const keyset = keysetOf(request);
  if (!isUuid(userId)) return { items: [], nextCursor: null };
  const [mine, theirs, at] = table === 'blocks' ? ['blocker_id', 'blocked_id', 'blocked_at'] : ['muter_id', 'muted_id', 'muted_at'];
  const { rows } = await db.query<SummaryRow & { since: Date }>(
    `select ${SUMMARY_COLUMNS}, coalesce(s.${at}, 'epoch') as since
     from ${table} s join users u on u.id = s.${theirs} and ${LISTED('u')}
     where s.${mine} = $1 and s.active
       and ($2::timestamptz is null or (coalesce(s.${at}, 'epoch'), s.${theirs}) < ($2::timestamptz, $3::uuid))
     order by coalesce(s.${at}, 'epoch') desc, s.${theirs} desc
     limit $4`,
    [userId, keyset.afterTime, keyset.afterId, keyset.limit + 1],
  );
  return toPage(rows, keyset.limit, cursorKey((r) => r.since, (r) => r.id), summaryOf);
};

export const blockedBy = (db: pg.Pool, userId: string, request: PageRequest) => standingList(db, userId, 'blocks', request);
export const mutedBy = (db: pg.Pool, userId: string, request: PageRequest) => standingList(db, userId, 'mutes', request);

export const followRequests = async (db: pg.Pool, ownerId: string, request: PageRequest): Promise<Page<FollowRequest>> => {
  const keyset = keysetOf(request);
  if (!isUuid(ownerId)) return { items: [], nextCursor: null };
  const { rows } = await db.query<SummaryRow & { requested_at: Date }>(
    `select ${SUMMARY_COLUMNS}, f.requested_at
     from follows f join users u on u.id = f.follower_id and ${LISTED('u')}
     where f.followee_id = $1 and f.status = 'requested'
       and ($2::timestamptz is null or (f.requested_at, f.follower_id) < ($2::timestamptz, $3::uuid))
     order by f.requested_at desc, f.follower_id desc
     limit $4`,
    [ownerId, keyset.afterTime, keyset.afterId, keyset.limit + 1],
  );
  return toPage(
    rows,
    keyset.limit,
    cursorKey((r) => r.requested_at, (r) => r.id),
    (row) => ({ ...summaryOf(row), requestedAt: row.requested_at.toISOString() }),
  );
};

/** Ids of the accounts `viewerId` follows; with `withoutMuted`, less those the viewer mutes (the stories tray). */
export const followingIds = async (db: pg.Pool, viewerId: string, { withoutMuted = false } = {}): Promise<string[]> => {
  if (!isUuid(viewerId)) return [];
  const { rows } = await db.query<{ id: string }>(
    `select f.followee_id as id from follows f where f.follower_id = $1 and f.status = 'following'${withoutMuted ? ` and not ${MUTES('$1', 'f.followee_id')}` : ''}`,
    [viewerId],
  );
  return rows.map((row) => row.id);
};

/** Follows and pending requests of `followerId`, counted up to `upTo`: work bounded by the cap (index follows_outgoing). */
export const followingCount = async (db: pg.Pool, followerId: string, upTo: number): Promise<number> => {
  if (!isUuid(followerId)) return 0;
  const { rows } = await db.query<{ count: number }>(
    "select count(*)::int as count from (select 1 from follows where follower_id = $1 and status <> 'none' limit $2) outgoing",
    [followerId, upTo],
  );
  return rows[0]?.count ?? 0;
};

/**
 * kernel/access.ts's rule, on the facts the read model holds; 'unknown' for no such registered
 * author, and for an author not listed (deleting, erased) unless the viewer is that author.
 */
export const canSee = async (db: pg.Pool, viewerId: string, authorId: string): Promise<ContentAccess> => {
  if (!isUuid(authorId)) return 'unknown';
  const viewer = isUuid(viewerId) ? viewerId : null;
  // Named (planned once per connection): it runs on every post page and content list.
  const { rows } = await db.query<{ private: boolean; blocked: boolean; follows: boolean }>({
    name: 'profiles-can-see',
    text: `select u.private, ${BLOCKED_EITHER_WAY('$1::uuid', 'u.id')} as blocked, ${FOLLOWS('$1::uuid', 'u.id')} as follows
     from users u where u.id = $2 and ${LISTED_FOR('$1::uuid', 'u')}`,
    values: [viewer, authorId],
  });
  const row = rows[0];
  if (!row) return 'unknown';
  return accessTo({ actorId: viewerId, ownerId: authorId, ownerIsPrivate: row.private, actorFollowsOwner: row.follows, blockedEitherWay: row.blocked });
};

/** The authors among `authorIds` whose content `viewerId` may see (canSee = 'allowed'), in one query. */
export const visibleAuthors = async (db: pg.Pool, viewerId: string, authorIds: readonly string[]): Promise<Set<string>> => {
  const valid = [...new Set(authorIds.filter(isUuid))];
  if (valid.length === 0) return new Set();
  const viewer = isUuid(viewerId) ? viewerId : null;
  // Named (planned once per connection): it runs on every feed read.
  const { rows } = await db.query<{ id: string }>({
    name: 'profiles-visible-authors',
    text: `select u.id from users u
     where u.id = any($2::uuid[]) and ${LISTED_FOR('$1::uuid', 'u')}
       and ${MAY_SEE('$1::uuid', 'u.id')}`,
    values: [viewer, valid],
  });
  return new Set(rows.map((row) => row.id));
};

/**
 * The summaries of the listed users among `userIds` with no block either way with `viewerId`
 * (private accounts included), with their standing (verified, followers) that user search ranks
 * by, in one query.
 */
export const unblockedSummaries = async (db: pg.Pool, viewerId: string, userIds: readonly string[]): Promise<Map<string, RankedSummary>> => {
  const valid = [...new Set(userIds.filter(isUuid))];
  if (valid.length === 0) return new Map();
  const viewer = isUuid(viewerId) ? viewerId : null;
  const { rows } = await db.query<SummaryRow & { verified: boolean; follower_count: number }>(
    `select ${SUMMARY_COLUMNS}, u.verified, u.follower_count from users u
     where u.id = any($2::uuid[]) and ${LISTED('u')} and not ${BLOCKED_EITHER_WAY('$1::uuid', 'u.id')}`,
    [viewer, valid],
  );
  return new Map(rows.map((row) => [row.id, { ...summaryOf(row), verified: row.verified, followerCount: row.follower_count }]));
};

/** The listed users among `userIds` with no block either way with `viewerId` (private accounts included), in one query. */
export const unblockedAmong = async (db: pg.Pool, viewerId: string, userIds: readonly string[]): Promise<Set<string>> => {
  const valid = [...new Set(userIds.filter(isUuid))];
  if (valid.length === 0) return new Set();
  const viewer = isUuid(viewerId) ? viewerId : null;
  const { rows } = await db.query<{ id: string }>(
    `select u.id from users u
     where u.id = any($2::uuid[]) and ${LISTED('u')} and not ${BLOCKED_EITHER_WAY('$1::uuid', 'u.id')}`,
    [viewer, valid],
  );
  return new Set(rows.map((row) => row.id));
};
