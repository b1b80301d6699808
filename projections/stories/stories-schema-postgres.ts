import type pg from 'pg';
import { setUpPostgresSchema, type PostgresSchema } from '../runtime/build-schema.js';
import type { GenerationStorage } from '../runtime/read-model.js';

// Tables of the PostgreSQL stories read model. Unqualified names: the connection's search_path
// picks the schema (a test's own, or a rebuild's new generation). Ids are text in the "C"
// collation so that they sort bytewise, as Redis sorts members, and both adapters page a tie
// the same way. Times are milliseconds, as in Redis.

const SCHEMA = `
create table if not exists stories (
  story_id text collate "C" primary key,
  author_id text collate "C" not null,
  media jsonb,
  posted_at_ms bigint,
  expires_at_ms bigint,
  deleted_at_ms bigint,
  expired_at_ms bigint,
  shared_post jsonb
);
-- Added with shares (issue 17): the post a shared story shows; tables made before it get it here.
alter table stories add column if not exists shared_post jsonb;
create index if not exists stories_by_author on stories (author_id, expires_at_ms);
create index if not exists stories_due on stories (expires_at_ms, story_id)
  where posted_at_ms is not null and deleted_at_ms is null and expired_at_ms is null;
create table if not exists story_views (
  story_id text collate "C" not null,
  viewer_id text collate "C" not null,
  viewed_at_ms bigint not null,
  primary key (story_id, viewer_id)
);
create index if not exists story_views_newest on story_views (story_id, viewed_at_ms desc, viewer_id desc);
create index if not exists story_views_by_viewer on story_views (viewer_id, story_id);
`;

/** Every table of the PostgreSQL stories read model (the replay CLI dumps and drops them). */
export const STORIES_TABLES = ['stories', 'story_views'] as const;

/** The projection's writes go by primary key only (stories-store-postgres.ts): every secondary index waits for the end of a build. */
export const STORIES_SCHEMA: PostgresSchema = { lock: 'projection-stories-schema', ddl: SCHEMA, tables: STORIES_TABLES };

/** Creates the tables and the checkpoint table in the shape `mode` asks for; idempotent, and safe when several processes start at once. */
export const ensureStoriesSchema = (pool: pg.Pool, mode: GenerationStorage['mode'] = 'live'): Promise<void> => setUpPostgresSchema(pool, STORIES_SCHEMA, mode);
