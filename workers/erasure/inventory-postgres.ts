import type pg from 'pg';
import type { ErasureInventory, FollowPair, MutePair } from './inventory.js';

// The inventory over the profiles and media read models' PostgreSQL tables, read-only. Their live
// generation may live in a schema of its own (projections/runtime/generation-catalog.ts): `schemaOf`
// names the schema of each read model's live generation (null: the pool's own search_path), asked
// for every page so that a switch made by the replay CLI is followed.

export type SchemaOf = (readModel: 'profiles' | 'media') => Promise<string | null>;

const quoted = (schema: string | null, table: string) => (schema === null ? table : `"${schema.replace(/"/g, '""')}".${table}`);

export const createPostgresInventory = (pool: pg.Pool, schemaOf: SchemaOf): ErasureInventory => {
  const ids = async (sql: string, params: unknown[]) => (await pool.query<{ id: string }>(sql, params)).rows.map((row) => row.id);
  const profiles = async (table: string) => quoted(await schemaOf('profiles'), table);
  return {
    posts: async (userId, after, limit) =>
      ids(
        `select id from ${await profiles('posts')}
         where author_id = $1 and created_at is not null and deleted_at is null and ($2::uuid is null or id > $2) order by id limit $3`,
        [userId, after, limit],
      ),
    comments: async (userId, after, limit) =>
      ids(
        `select id from ${await profiles('comments')}
         where author_id = $1 and created_at is not null and deleted_at is null and ($2::uuid is null or id > $2) order by id limit $3`,
        [userId, after, limit],
      ),
    likedPosts: async (userId, after, limit) =>
      ids(`select post_id as id from ${await profiles('likes')} where user_id = $1 and active and ($2::uuid is null or post_id > $2) order by post_id limit $3`, [
        userId,
        after,
        limit,
      ]),
    bookmarkedPosts: async (userId, after, limit) =>
      ids(`select post_id as id from ${await profiles('bookmarks')} where user_id = $1 and active and ($2::uuid is null or post_id > $2) order by post_id limit $3`, [
        userId,
        after,
        limit,
      ]),
    taggedPosts: async (userId, after, limit) =>
      ids(`select post_id as id from ${await profiles('post_tags')} where user_id = $1 and active and ($2::uuid is null or post_id > $2) order by post_id limit $3`, [
        userId,
        after,
        limit,
      ]),
    followedHashtags: async (userId, after, limit) =>
      ids(`select tag as id from ${await profiles('hashtag_follows')} where user_id = $1 and active and ($2::text is null or tag > $2) order by tag limit $3`, [
        userId,
        after,
        limit,
      ]),
    collections: async (userId, after, limit) =>
      ids(
        `select id from ${await profiles('collections')}
         where owner_id = $1 and created_at is not null and deleted_at is null and ($2::uuid is null or id > $2) order by id limit $3`,
        [userId, after, limit],
      ),
    async follows(userId, after, limit) {
      const { rows } = await pool.query<{ follower_id: string; followee_id: string }>(
        `select follower_id, followee_id from ${await profiles('follows')}
         where (follower_id = $1 or followee_id = $1) and status in ('requested', 'following')
           and ($2::uuid is null or (follower_id, followee_id) > ($2::uuid, $3::uuid))
         order by follower_id, followee_id limit $4`,
        [userId, after?.followerId ?? null, after?.followeeId ?? null, limit],
      );
      return rows.map((row): FollowPair => ({ followerId: row.follower_id, followeeId: row.followee_id }));
    },
    async mutes(userId, after, limit) {
      const { rows } = await pool.query<{ muter_id: string; muted_id: string }>(
        `select muter_id, muted_id from ${await profiles('mutes')}
         where (muter_id = $1 or muted_id = $1) and active
           and ($2::uuid is null or (muter_id, muted_id) > ($2::uuid, $3::uuid))
         order by muter_id, muted_id limit $4`,
        [userId, after?.muterId ?? null, after?.mutedId ?? null, limit],
      );
      return rows.map((row): MutePair => ({ muterId: row.muter_id, mutedId: row.muted_id }));
    },
    media: async (userId, after, limit) =>
      ids(
        `select media_id as id from ${quoted(await schemaOf('media'), 'media')}
         where owner_id = $1 and status not in ('deleted', 'expired') and ($2::uuid is null or media_id > $2) order by media_id limit $3`,
        [userId, after, limit],
      ),
  };
};
