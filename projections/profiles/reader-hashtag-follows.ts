import type pg from 'pg';
import { HASHTAG_FOLLOWS_MAX } from '../../kernel/limits.js';
import { isUuid } from './keyset.js';

// The hashtags a user follows (docs/rules.md "Hashtag follows"): the list, the hashtag page's
// `following`, the home feed's `via` marks and the degraded pull, and the cap's count.

export interface FollowedHashtag {
  tag: string;
  followedAt: string;
}

/**
 * The most rows one read returns: the cap plus as many again, since follows within the
 * projector's lag may pass the cap (kernel/limits.ts HASHTAG_FOLLOWS_MAX); a bound on one read's work.
 */
export const FOLLOWED_HASHTAGS_READ = 2 * HASHTAG_FOLLOWS_MAX;

/** The tags the user follows, newest follow first (at most FOLLOWED_HASHTAGS_READ). */
export const followedHashtags = async (db: pg.Pool, userId: string): Promise<FollowedHashtag[]> => {
  if (!isUuid(userId)) return [];
  const { rows } = await db.query<{ tag: string; followed_at: Date | null }>(
    `select tag, followed_at from hashtag_follows where user_id = $1::uuid and active order by followed_at desc nulls last, tag limit $2`,
    [userId, FOLLOWED_HASHTAGS_READ],
  );
  return rows.map((row) => ({ tag: row.tag, followedAt: (row.followed_at ?? new Date(0)).toISOString() }));
};

/** Whether the user follows the tag. */
export const followsHashtag = async (db: pg.Pool, userId: string, tag: string): Promise<boolean> => {
  if (!isUuid(userId)) return false;
  const { rowCount } = await db.query(`select 1 from hashtag_follows where user_id = $1::uuid and tag = $2 and active`, [userId, tag]);
  return (rowCount ?? 0) > 0;
};

/** The tags the user follows, counted up to `upTo` (the cap, kernel/limits.ts HASHTAG_FOLLOWS_MAX). */
export const hashtagFollowCount = async (db: pg.Pool, userId: string, upTo: number): Promise<number> => {
  if (!isUuid(userId)) return 0;
  const { rows } = await db.query<{ count: number }>(
    `select count(*)::int as count from (select 1 from hashtag_follows where user_id = $1::uuid and active limit $2) followed`,
    [userId, upTo],
  );
  return rows[0]?.count ?? 0;
};
