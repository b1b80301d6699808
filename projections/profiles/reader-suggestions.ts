import type pg from 'pg';
import { BLOCKED_EITHER_WAY, LISTED } from './access-sql.js';
import { isUuid } from './keyset.js';
import type { UserSummary } from './reader-types.js';
import { SUMMARY_COLUMNS, summaryOf } from './reader-users.js';

// Who to follow, and who of the people one follows already follows an account
// (docs/architecture.md "Suggestions and mutual followers"). Both read the follow graph as the
// profiles read model holds it, and each bounds its work by a fixed number of index reads, whatever
// the size of the graph: the graph of a popular account is millions of rows.

/**
 * The accounts of the viewer's follows read for friends of friends: the most recent follows,
 * which say most about what the viewer cares for now. With FOF_PER_FOLLOW, 200 x 200 = 40,000
 * index entries at most per request, a few milliseconds, where a celebrity-following viewer's full
 * second degree is tens of millions.
 */
export const FOF_FOLLOWS_READ = 200;
/** The follows read of each of them, also newest first. */
export const FOF_PER_FOLLOW = 200;
/** The most suggestions one request returns. */
export const SUGGESTIONS_MAX = 50;
/** Mutual followers named on a profile ("followed by a, b and c"): the rest is a count. */
export const MUTUAL_NAMED = 3;

export interface SuggestedUser extends UserSummary {
  /** How many of the accounts the viewer follows follow this one (of the follows read: FOF_FOLLOWS_READ). */
  mutualCount: number;
}

export interface MutualFollowers {
  /** Up to MUTUAL_NAMED of them, most followed first. */
  usernames: string[];
  /** All of them, the named ones included. */
  count: number;
}

// The rule of who may be suggested to the viewer, in one place: a listed account that is not the
// viewer, that the viewer neither follows nor asked to follow (a pending request to a private
// account is a follow in waiting), with no block either way.
const SUGGESTIBLE = (viewer: string, user: string) => `${LISTED(user)} and ${user}.id <> ${viewer}
  and not exists (select 1 from follows o where o.follower_id = ${viewer} and o.followee_id = ${user}.id and o.status <> 'none')
  and not ${BLOCKED_EITHER_WAY(viewer, `${user}.id`)}`;

/**
 * Friends of friends, most mutual first, then most followed, then by id (a total order: the same
 * graph gives the same list). When the viewer's follows give fewer than `limit` (a new account),
 * the most followed public accounts fill the rest, with a mutual count of 0: something to start from.
 */
export const suggestedUsers = async (db: pg.Pool, viewerId: string, limit: number): Promise<SuggestedUser[]> => {
  if (!isUuid(viewerId)) return [];
  const wanted = Math.min(Math.max(1, Math.floor(limit)), SUGGESTIONS_MAX);
  const { rows } = await db.query<Parameters<typeof summaryOf>[0] & { mutual: number }>({
    name: 'profiles-suggested-users',
    text: `with mine as (
       select f.followee_id as id from follows f join users x on x.id = f.followee_id and ${LISTED('x')}
       where f.follower_id = $1 and f.status = 'following'
       order by f.followed_at desc, f.followee_id desc limit ${FOF_FOLLOWS_READ}
     ), second as (
       select s.followee_id as id, count(*)::int as mutual
       from mine m cross join lateral (
         select followee_id from follows f where f.follower_id = m.id and f.status = 'following'
         order by f.followed_at desc, f.followee_id desc limit ${FOF_PER_FOLLOW}
       ) s
       group by s.followee_id
     ), ranked as (
       select ${SUMMARY_COLUMNS}, u.follower_count, c.mutual from second c join users u on u.id = c.id
       where ${SUGGESTIBLE('$1::uuid', 'u')}
       order by c.mutual desc, u.follower_count desc, u.id limit $2
     ), popular as (
       select ${SUMMARY_COLUMNS}, u.follower_count, 0 as mutual from users u
       where (select count(*) from ranked) < $2 and not u.private and ${SUGGESTIBLE('$1::uuid', 'u')}
         and u.id not in (select id from ranked)
       order by u.follower_count desc, u.id limit $2
     )
     select * from (select * from ranked union all select * from popular) s
     order by s.mutual desc, s.follower_count desc, s.id limit $2`,
    values: [viewerId, wanted],
  });
  return rows.map((row) => ({ ...summaryOf(row), mutualCount: row.mutual }));
};

/**
 * The accounts the viewer follows that follow `userId`: a profile's "followed by a, b and N others
 * you follow". Only listed accounts count; the viewer may see who each of them follows, since they
 * follow each of them. Work bounded by the viewer's follows (FOLLOWING_MAX), one index probe each.
 */
export const mutualFollowers = async (db: pg.Pool, viewerId: string, userId: string): Promise<MutualFollowers> => {
  if (!isUuid(viewerId) || !isUuid(userId) || viewerId === userId) return { usernames: [], count: 0 };
  const { rows } = await db.query<{ username: string; total: number }>({
    name: 'profiles-mutual-followers',
    text: `select x.username, count(*) over ()::int as total
     from follows mine
     join follows theirs on theirs.follower_id = mine.followee_id and theirs.followee_id = $2 and theirs.status = 'following'
     join users x on x.id = mine.followee_id and ${LISTED('x')}
     where mine.follower_id = $1 and mine.status = 'following'
     order by x.follower_count desc, x.id
     limit ${MUTUAL_NAMED}`,
    values: [viewerId, userId],
  });
  return { usernames: rows.map((row) => row.username), count: rows[0]?.total ?? 0 };
};
