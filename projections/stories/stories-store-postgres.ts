import type pg from 'pg';
import type { GenerationStorage } from '../runtime/read-model.js';
import { loadCheckpoint } from '../runtime/checkpoints-postgres.js';
import { applyInTransaction } from '../runtime/postgres-transaction.js';
import { ensureStoriesSchema } from './stories-schema-postgres.js';
import type { StoryFact, ViewFact } from './story-facts.js';
import { isoOf, oldestFirst, stateOf } from './story-records.js';
import type { StoriesStore, Story } from './stories-store.js';

// The stories read model in PostgreSQL (used where Redis is not configured); its tables are in
// stories-schema-postgres.ts.

// Every column is only ever set, never cleared, and each holds one fact of one event, so an
// upsert that keeps what is there (coalesce) gives the same row whatever order and however
// often the events arrive.
const UPSERT_STORIES = `
insert into stories (story_id, author_id, media, posted_at_ms, expires_at_ms, deleted_at_ms, expired_at_ms, shared_post)
select story_id, author_id, media, posted_at_ms, expires_at_ms, deleted_at_ms, expired_at_ms, shared_post
from jsonb_to_recordset($1::jsonb) as x(story_id text, author_id text, media jsonb, posted_at_ms bigint,
  expires_at_ms bigint, deleted_at_ms bigint, expired_at_ms bigint, shared_post jsonb)
on conflict (story_id) do update set
  media = coalesce(stories.media, excluded.media),
  shared_post = coalesce(stories.shared_post, excluded.shared_post),
  posted_at_ms = coalesce(stories.posted_at_ms, excluded.posted_at_ms),
  expires_at_ms = coalesce(stories.expires_at_ms, excluded.expires_at_ms),
  deleted_at_ms = coalesce(stories.deleted_at_ms, excluded.deleted_at_ms),
  expired_at_ms = coalesce(stories.expired_at_ms, excluded.expired_at_ms)`;

const INSERT_VIEWS = `
insert into story_views (story_id, viewer_id, viewed_at_ms)
select story_id, viewer_id, viewed_at_ms from jsonb_to_recordset($1::jsonb) as x(story_id text, viewer_id text, viewed_at_ms bigint)
on conflict do nothing`;

const STORY_COLUMNS = 'story_id, author_id, media, posted_at_ms, expires_at_ms, deleted_at_ms, expired_at_ms, shared_post';

interface StoryRow {
  story_id: string;
  author_id: string;
  media: Story['media'];
  posted_at_ms: string;
  expires_at_ms: string;
  deleted_at_ms: string | null;
  expired_at_ms: string | null;
  shared_post: Story['sharedPost'];
}

const storyOf = (row: StoryRow): Story => ({
  id: row.story_id,
  authorId: row.author_id,
  media: row.media,
  postedAt: isoOf(Number(row.posted_at_ms)),
  expiresAt: isoOf(Number(row.expires_at_ms)),
  state: stateOf({ deleted: row.deleted_at_ms !== null, expired: row.expired_at_ms !== null }),
  sharedPost: row.shared_post,
});

/** `mode` 'build' sets up the bulk-load shape of a generation built from the start (runtime/build-schema.ts). */
export const createPostgresStoriesStore = (pool: pg.Pool, { mode = 'live' }: { mode?: GenerationStorage['mode'] } = {}): StoriesStore => ({
  setup: () => ensureStoriesSchema(pool, mode),

  write({ stories, views }, checkpointKey, position) {
    // In one transaction with the checkpoint: it never gets ahead of, or behind, the writes.
    return applyInTransaction(pool, checkpointKey, position, async (client) => {
      if (stories.length > 0) await client.query(UPSERT_STORIES, [JSON.stringify(stories.map(storyRecord))]);
      if (views.length > 0) await client.query(INSERT_VIEWS, [JSON.stringify(views.map(viewRecord))]);
    });
  },

  checkpoint: (checkpointKey) => loadCheckpoint(pool, checkpointKey),

  async liveStories(authorIds, nowMs) {
    const { rows } = await pool.query<StoryRow>(
      `select ${STORY_COLUMNS} from stories
       where author_id = any($1::text[]) and expires_at_ms > $2 and posted_at_ms is not null
         and deleted_at_ms is null and expired_at_ms is null`,
      [authorIds, nowMs],
    );
    const byAuthor = new Map<string, Story[]>(authorIds.map((id) => [id, []]));
    for (const row of rows) byAuthor.get(row.author_id)?.push(storyOf(row));
    for (const stories of byAuthor.values()) stories.sort(oldestFirst);
    return byAuthor;
  },

  async story(storyId) {
    const { rows } = await pool.query<StoryRow>(`select ${STORY_COLUMNS} from stories where story_id = $1 and posted_at_ms is not null`, [storyId]);
    return rows[0] ? storyOf(rows[0]) : null;
  },

  async seenBy(viewerId, storyIds) {
    if (storyIds.length === 0) return new Set();
    const { rows } = await pool.query<{ story_id: string }>('select story_id from story_views where viewer_id = $1 and story_id = any($2::text[])', [
      viewerId,
      storyIds,
    ]);
    return new Set(rows.map((row) => row.story_id));
  },

  async viewers(storyId, after, limit) {
    const { rows } = await pool.query<{ viewer_id: string; viewed_at_ms: string }>(
      `select viewer_id, viewed_at_ms from story_views
       where story_id = $1 and ($2::bigint is null or (viewed_at_ms, viewer_id) < ($2::bigint, $3::text))
       order by viewed_at_ms desc, viewer_id desc limit $4`,
      [storyId, after?.viewedAtMs ?? null, after?.viewerId ?? '', limit],
    );
    return rows.map((row) => {
      const viewedAtMs = Number(row.viewed_at_ms);
      return { viewerId: row.viewer_id, viewedAt: isoOf(viewedAtMs), viewedAtMs };
    });
  },

  async dueForExpiry(nowMs, limit) {
    // Matches the partial index stories_due.
    const { rows } = await pool.query<{ story_id: string }>(
      `select story_id from stories
       where expires_at_ms <= $1 and posted_at_ms is not null and deleted_at_ms is null and expired_at_ms is null
       order by expires_at_ms, story_id limit $2`,
      [nowMs, limit],
    );
    return rows.map((row) => row.story_id);
  },
});

const storyRecord = (fact: StoryFact) => ({
  story_id: fact.storyId,
  author_id: fact.authorId,
  media: fact.posted?.media ?? null,
  posted_at_ms: fact.posted?.postedAtMs ?? null,
  expires_at_ms: fact.posted?.expiresAtMs ?? null,
  deleted_at_ms: fact.deletedAtMs ?? null,
  expired_at_ms: fact.expiredAtMs ?? null,
  shared_post: fact.posted?.sharedPost ?? null,
});

const viewRecord = (view: ViewFact) => ({
  story_id: view.storyId,
  viewer_id: view.viewerId,
  viewed_at_ms: view.viewedAtMs,
});
