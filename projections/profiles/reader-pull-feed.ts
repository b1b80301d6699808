import type pg from 'pg';
import { MAY_SEE, MUTES } from './access-sql.js';
import { isUuid } from './keyset.js';
import { HYDRATED, LIVE, AUTHOR, hydrated, type PostRow } from './reader-posts.js';
import type { HydratedPost } from './reader-types.js';

// The home feed by pull, over this read model: the posts of the accounts the viewer follows and
// the viewer's own, newest first, under the same visibility rule as the feed's hydration
// (reader-posts.ts visiblePosts: listed author, MAY_SEE), less the authors the viewer mutes, as the
// Redis feed's page leaves them out (read-api/card-cache.ts withoutMuted). It is the home feed's fallback while the
// Redis feed cannot answer (read-api/degraded.ts). ONE query a page: the authors the viewer may
// see, then at most `limit` posts of each from the posts_by_author index (a LATERAL scan that
// stops after `limit`), merged newest first and cut to `limit`. The key is the Redis feed's,
// (createdAt ms, postId), with the same order (ties by post id, descending), so that one cursor
// pages either feed.

/** Where a page resumes: strictly after this post (created at `createdAtMs`). */
export interface PullFeedKey {
  createdAtMs: number;
  postId: string;
}

/** Up to `limit` visible posts strictly after `after`, newest first. */
export const pullFeed = async (db: pg.Pool, viewerId: string, after: PullFeedKey | null, limit: number): Promise<HydratedPost[]> => {
  if (!isUuid(viewerId) || (after && !isUuid(after.postId))) return [];
  const { rows } = await db.query<PostRow>({
    name: 'profiles-pull-feed',
    text: `with authors as (
        select u.id from users u
        where (u.id = $1::uuid or u.id in (select f.followee_id from follows f where f.follower_id = $1::uuid and f.status = 'following'))
          and ${MAY_SEE('$1::uuid', 'u.id')}
          and not ${MUTES('$1::uuid', 'u.id')}
      ), page as (
        select q.id, q.created_at from authors a cross join lateral (
          select p.id, p.created_at from posts p
          where p.author_id = a.id and ${LIVE}
            and ($2::timestamptz is null or (p.created_at, p.id) < ($2::timestamptz, $3::uuid))
          order by p.created_at desc, p.id desc
          limit $4
        ) q
        order by q.created_at desc, q.id desc
        limit $4
      )
      select ${HYDRATED} from page join posts p on p.id = page.id join ${AUTHOR}
      order by p.created_at desc, p.id desc`,
    values: [viewerId, after ? new Date(after.createdAtMs).toISOString() : null, after ? after.postId : null, limit],
  });
  return rows.map(hydrated);
};
