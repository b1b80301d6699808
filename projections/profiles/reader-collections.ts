import type pg from 'pg';
import type { MediaItem } from '../../events/index.js';
import { LISTED_FOR, MAY_SEE } from './access-sql.js';
import { toPage, type Page, type PageRequest } from '../runtime/page.js';
import { cursorKey, isUuid, keysetOf } from './keyset.js';
import { AUTHOR, HYDRATED, hydrated, LIVE, type PostRow } from './reader-posts.js';
import type { CollectionSummary, CollectionView, HydratedPost } from './reader-types.js';

// Collections of saved posts (docs/rules.md "Collections"), private to their owner: every query
// names the owner ($1), so another caller's id reads as no collection. A collection shows only
// the posts filed in it that are still bookmarked (an unbookmark writes nothing to collections),
// live, and by an author the owner may see now (access-sql.ts MAY_SEE): count, cover and page
// apply the one rule below, so they always agree.

const LIVE_COLLECTION = 'c.created_at is not null and c.deleted_at is null';

/** The posts of collection `c` the owner $1 sees, as `cp` (filed), `p` (post) and `u` (author). */
const SHOWN_POSTS = `collection_posts cp
  join bookmarks bm on bm.user_id = $1::uuid and bm.post_id = cp.post_id and bm.active
  join posts p on p.id = cp.post_id and ${LIVE}
  join users u on u.id = p.author_id and ${LISTED_FOR('$1::uuid', 'u')}
  where cp.collection_id = c.id and cp.active and ${MAY_SEE('$1::uuid', 'p.author_id')}`;

const POST_COUNT = `(select count(*)::int from ${SHOWN_POSTS}) as post_count`;

interface CollectionRow {
  id: string;
  name: string;
  created_at: Date;
  post_count: number;
}

/** The owner's live collections, newest first, each with its count and cover. */
export const collections = async (db: pg.Pool, ownerId: string, request: PageRequest): Promise<Page<CollectionSummary>> => {
  const keyset = keysetOf(request);
  if (!isUuid(ownerId)) return { items: [], nextCursor: null };
  const { rows } = await db.query<CollectionRow & { cover: MediaItem | null; cover_private: boolean | null }>(
    `select c.id, c.name, c.created_at, ${POST_COUNT}, cover.item as cover, cover.private as cover_private
     from collections c
     left join lateral (select (p.media->0) - 'tags' as item, u.private from ${SHOWN_POSTS} order by cp.added_at desc, cp.post_id desc limit 1) cover on true
     where c.owner_id = $1::uuid and ${LIVE_COLLECTION}
       and ($2::timestamptz is null or (c.created_at, c.id) < ($2::timestamptz, $3::uuid))
     order by c.created_at desc, c.id desc
     limit $4`,
    [ownerId, keyset.afterTime, keyset.afterId, keyset.limit + 1],
  );
  return toPage(rows, keyset.limit, cursorKey((r) => r.created_at, (r) => r.id), (row) => ({
    id: row.id,
    name: row.name,
    postCount: row.post_count,
    cover: row.cover ? { item: row.cover, author: { private: row.cover_private ?? false } } : null,
  }));
};

/** The owner's live collection `collectionId`, or null (none, deleted, or another's). */
export const collection = async (db: pg.Pool, ownerId: string, collectionId: string): Promise<CollectionView | null> => {
  if (!isUuid(ownerId) || !isUuid(collectionId)) return null;
  const { rows } = await db.query<CollectionRow>(
    `select c.id, c.name, ${POST_COUNT} from collections c where c.id = $2::uuid and c.owner_id = $1::uuid and ${LIVE_COLLECTION}`,
    [ownerId, collectionId],
  );
  const row = rows[0];
  return row ? { id: row.id, name: row.name, postCount: row.post_count } : null;
};

/** The posts the owner sees in collection `collectionId`, newest added first (empty for another's). */
export const collectionPosts = async (db: pg.Pool, ownerId: string, collectionId: string, request: PageRequest): Promise<Page<HydratedPost>> => {
  const keyset = keysetOf(request);
  if (!isUuid(ownerId) || !isUuid(collectionId)) return { items: [], nextCursor: null };
  const { rows } = await db.query<PostRow & { added_at: Date }>(
    `select ${HYDRATED}, cp.added_at
     from collections c
     join collection_posts cp on cp.collection_id = c.id and cp.active
     join bookmarks bm on bm.user_id = $1::uuid and bm.post_id = cp.post_id and bm.active
     join posts p on p.id = cp.post_id and ${LIVE}
     join ${AUTHOR}
     where c.id = $2::uuid and c.owner_id = $1::uuid and ${LIVE_COLLECTION} and ${MAY_SEE('$1::uuid', 'p.author_id')}
       and ($3::timestamptz is null or (cp.added_at, cp.post_id) < ($3::timestamptz, $4::uuid))
     order by cp.added_at desc, cp.post_id desc
     limit $5`,
    [ownerId, collectionId, keyset.afterTime, keyset.afterId, keyset.limit + 1],
  );
  return toPage(rows, keyset.limit, cursorKey((r) => r.added_at, (r) => r.id), hydrated);
};

/** The owner's live collections, counted up to `upTo` (the collections cap, kernel/limits.ts COLLECTIONS_MAX). */
export const collectionCount = async (db: pg.Pool, ownerId: string, upTo: number): Promise<number> => {
  if (!isUuid(ownerId)) return 0;
  const { rows } = await db.query<{ count: number }>(
    `select count(*)::int as count from (select 1 from collections c where c.owner_id = $1::uuid and ${LIVE_COLLECTION} limit $2) owned`,
    [ownerId, upTo],
  );
  return rows[0]?.count ?? 0;
};
