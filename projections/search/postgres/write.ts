import type pg from 'pg';
import type { RecordedEvent } from '../../../events/index.js';
import { foldChanges, pairKey, type BatchChanges, type PostChange } from '../../runtime/batch-changes.js';
import { normalizePlaceName } from '../../../kernel/places.js';
import { countDeltas, postRows, type StoredState } from '../../runtime/count-deltas.js';
import { bulkUpsert, registerColumns, revisionedRowUpsert, truncMs, upsertRows } from '../../runtime/bulk-upsert.js';
import { deferredCounts } from '../../runtime/deferred-counts.js';
import { appendWhere, byFields, MILLISECOND_TIME, textArrayField } from '../../runtime/copy-rows.js';
import { addStoredKeys, addWrittenKeys, unstoredKeys, type WrittenKeys } from '../../runtime/written-keys.js';
import type { SearchTables } from './schema.js';
import type { Queryable } from '../../runtime/checkpoints-postgres.js';
import { indexedHashtags } from '../search-store.js';
import { COMMENT_WEIGHT } from '../explore-score.js';
import { exploreDay } from '../query-bounds.js';

// Writes one batch of the search read model, inside the batch's transaction (the checkpoint
// commits with it). The batch is folded in memory by the register fold it shares with the
// profiles read model (runtime/batch-changes.ts): every row is written by the events of ONE stream, so fields are
// registers guarded by the stream revision that wrote them, and creation and deletion are set
// once. Re-applying a batch, or an older batch after newer ones, therefore changes nothing.
//
// Counts are never blind increments:
// - like and comment counts move by the flips runtime/count-deltas.ts derives from the stored
//   like and comment rows (read before the writes; a like row is only ever written by its own
//   stream's instance), and additions to a post's counters commute across instances;
// - hashtag counts move by exactly the (tag, post) rows the tag sync really inserts or deletes,
//   and those rows are derived from the post's STORED state after its guarded upsert.

const upsertUsers = (tables: SearchTables) =>
  bulkUpsert({
    table: tables.users,
    key: ['id'],
    ordered: true,
    columns: [
      { name: 'id', type: 'uuid' },
      // Set once, blanked for good by the erasure (the state the register is about to hold).
      {
        name: 'username',
        type: 'text',
        merge: {
          sql: (stored) =>
            `case when (case when excluded.state_rev > ${stored}.state_rev then excluded.state else ${stored}.state end) = 'erased' then null
             else coalesce(${stored}.username, excluded.username) end`,
        },
      },
      ...registerColumns('display_name', 'text', (name) => `coalesce(${name}, '')`),
      ...registerColumns('private', 'boolean', (flag) => `coalesce(${flag}, false)`),
      ...registerColumns('state', 'text', (state) => `coalesce(${state}, 'active')`),
    ],
  });

const ifNewerCaption = { newerThan: 'caption_rev' } as const;

const upsertPosts = (tables: SearchTables) =>
  bulkUpsert({
    table: tables.posts,
    key: ['id'],
    ordered: true,
    columns: [
      { name: 'id', type: 'uuid' },
      { name: 'author_id', type: 'uuid', merge: 'keep' },
      { name: 'caption', type: 'text', insert: (caption) => `coalesce(${caption}, '')`, merge: ifNewerCaption },
      { name: 'hashtags', type: 'text[]', insert: (tags) => `coalesce(${tags}, '{}')`, merge: ifNewerCaption },
      { name: 'caption_rev', type: 'int', merge: 'greatest' },
      { name: 'created_at', type: 'timestamptz', insert: truncMs, merge: 'keep' },
      { name: 'created_day', type: 'int', merge: 'keep' },
      { name: 'deleted_at', type: 'timestamptz', insert: truncMs, merge: 'keep' },
      { name: 'like_count', type: 'int', merge: 'add' },
      { name: 'comment_count', type: 'int', merge: 'add' },
      // The place the post names: set once by PostCreated (kernel/places.ts normalizes the key).
      { name: 'location_id', type: 'uuid', merge: 'keep' },
      { name: 'location_name', type: 'text', merge: 'keep' },
      { name: 'location_key', type: 'text', merge: 'keep' },
      { name: 'location_lat', type: 'float8', merge: 'keep' },
      { name: 'location_lon', type: 'float8', merge: 'keep' },
    ],
  });

// The locations the given live posts name, as rows of their own (posts 0) before syncLocations
// counts them: the name's key and the grid point are the same for every post of a location (its id
// is derived from them), so whichever post inserts the row, the row is the same.
const insertLocations = (tables: SearchTables, posts = 'p.id = any($1::uuid[])') => `
insert into ${tables.locations} (id, key, lat, lon)
select distinct on (location_id) location_id, location_key, location_lat, location_lon from ${tables.posts} p
where ${posts} and p.location_id is not null and p.created_at is not null and p.deleted_at is null
order by location_id
on conflict (id) do nothing`;

// The (post, location) rows the posts `posts` (an SQL condition on posts `p`) should have: one
// home for the rule, for a batch's posts (syncLocations) and for every post once a build has
// stored them all (deriveEverySearchRow).
const wantedLocations = (tables: SearchTables, posts: string) => `
  select p.id as post_id, p.location_id, p.location_name as name, not coalesce(u.private, false) as public
  from ${tables.posts} p left join ${tables.users} u on u.id = p.author_id
  where ${posts} and p.location_id is not null and p.created_at is not null and p.deleted_at is null
    and coalesce(u.state, 'active') = 'active'`;

// The (tag, post) rows the posts `posts` should have (as wantedLocations, for syncTags and deriveEverySearchRow).
const wantedTags = (tables: SearchTables, posts: string) => `
  select distinct p.id as post_id, tag, p.created_at, (p.like_count + ${COMMENT_WEIGHT} * p.comment_count) as engagement,
    not coalesce(u.private, false) as public
  from ${tables.posts} p cross join lateral unnest(p.hashtags) as tag
  left join ${tables.users} u on u.id = p.author_id
  where ${posts} and p.created_at is not null and p.deleted_at is null and coalesce(u.state, 'active') = 'active'`;

// The (post, location) rows of the given posts become exactly their live locations of listed
// authors, each marked with whether its author is public now, and the location counters move by
// the PUBLIC rows that really went in, went out or flipped: syncTags' rule, for one place per post.
const syncLocations = (tables: SearchTables) => `
with wanted as (${wantedLocations(tables, 'p.id = any($1::uuid[])')}),
removed as (
  delete from ${tables.postLocations} pl
  where pl.post_id = any($1::uuid[]) and not exists (select 1 from wanted w where w.post_id = pl.post_id)
  returning pl.location_id, pl.public
),
upserted as (
  insert into ${tables.postLocations} (post_id, location_id, name, public)
  select post_id, location_id, name, public from wanted order by post_id
  on conflict (post_id) do update set public = excluded.public where ${tables.postLocations}.public <> excluded.public
  returning location_id, public, (xmax = 0) as inserted
),
deltas as (
  select location_id, sum(d)::int as d from (
    select location_id, -1 as d from removed where public
    union all select location_id, 1 as d from upserted where public
    union all select location_id, -1 as d from upserted where not public and not inserted
  ) c
  group by location_id having sum(d) <> 0
)
insert into ${tables.locations} (id, posts) select location_id, d from deltas order by location_id
on conflict (id) do update set posts = ${tables.locations}.posts + excluded.posts`;

// The (tag, post) rows of the given posts become exactly their stored live tags of listed authors
// (an author in their deletion grace has none: LISTED_AUTHOR), each marked with
// whether its author is public now (an author the table does not know yet counts as public, as
// every account starts); the hashtag counters move by the PUBLIC rows that really went in, went
// out or flipped (RETURNING reports what this statement did, whatever another instance does at
// once; `xmax = 0` tells an inserted row from an updated one). Counters are locked in tag order,
// so two instances moving the same tags wait for each other instead of deadlocking.
const syncTags = (tables: SearchTables) => `
with wanted as (${wantedTags(tables, 'p.id = any($1::uuid[])')}),
removed as (
  delete from ${tables.postTags} pt
  where pt.post_id = any($1::uuid[]) and not exists (select 1 from wanted w where w.post_id = pt.post_id and w.tag = pt.tag)
  returning pt.tag, pt.public
),
upserted as (
  insert into ${tables.postTags} (tag, post_id, created_at, engagement, public)
  select tag, post_id, created_at, engagement, public from wanted order by tag, post_id
  on conflict (tag, post_id) do update set public = excluded.public where ${tables.postTags}.public <> excluded.public
  returning tag, public, (xmax = 0) as inserted
),
deltas as (
  select tag, sum(d)::int as d from (
    select tag, -1 as d from removed where public
    union all select tag, 1 as d from upserted where public
    union all select tag, -1 as d from upserted where not public and not inserted
  ) c
  group by tag having sum(d) <> 0
)
insert into ${tables.hashtags} (tag, posts) select tag, d from deltas order by tag
on conflict (tag) do update set posts = ${tables.hashtags}.posts + excluded.posts`;

// The engagement 'top' pages are ordered by, copied from the posts whose counts the batch moved
// (a post's tags are few: HASHTAG_MAX_COUNT), so that a page is an index range, never a sort.
// Each post and its tags are an index lookup (lateral): a join of the two tables was planned as a
// scan of both, at a cost that grew with them. A statement of its own, after the posts' upsert
// and syncTags: its snapshot must see the tag rows another instance committed while this one
// waited for the post's row (a statement's snapshot is taken when it starts).
const syncEngagement = (tables: SearchTables) => `
update ${tables.postTags} pt set engagement = t.engagement
from (
  select own.tag, own.post_id, p.engagement
  from unnest($1::uuid[]) as k(id)
  cross join lateral (select like_count + ${COMMENT_WEIGHT} * comment_count as engagement from ${tables.posts} where id = k.id offset 0) p
  cross join lateral (select tag, post_id from ${tables.postTags} where post_id = k.id and engagement <> p.engagement offset 0) own
) t
where pt.tag = t.tag and pt.post_id = t.post_id`;

/** The posts of authors whose privacy or listing the batch changed: their tags move in or out of the counts. */
const postsOfAuthors = (tables: SearchTables) => `select id::text as id from ${tables.posts} where author_id = any($1::uuid[])`;

// Two instances (partitioned by stream) may sync one post at once: one for the post's own events,
// one for its author's privacy. Each takes its authors' locks, in order, before writing anything,
// so the second one's statements see the first one's commit (a post never keeps the privacy its
// author had before).
const LOCK_AUTHORS = `select count(pg_advisory_xact_lock(hashtext('search-author:' || a))) from (select distinct a from unnest($1::text[]) a order by a offset 0) s`;

/** The user events that move an author's posts in or out of the counts. */
const AUTHOR_EVENTS = new Set(['PrivacyChanged', 'AccountDeletionRequested', 'AccountRestored', 'AccountErased']);

/** Authors whose posts (or privacy, or listing) the batch changes, from the events themselves. */
const authorsOf = (events: readonly RecordedEvent[]): string[] => {
  const authors = new Set<string>();
  for (const event of events) {
    const data = event.data as { authorId?: unknown; userId?: unknown };
    if ((event.type === 'PostCreated' || event.type === 'CaptionEdited' || event.type === 'PostDeleted') && typeof data.authorId === 'string') authors.add(data.authorId);
    if (AUTHOR_EVENTS.has(event.type) && typeof data.userId === 'string') authors.add(data.userId);
  }
  return [...authors];
};

const upsertLikes = (tables: SearchTables) =>
  revisionedRowUpsert({
    table: tables.likes,
    key: ['post_id', 'user_id'],
    ordered: true,
    columns: [
      { name: 'post_id', type: 'uuid' },
      { name: 'user_id', type: 'uuid' },
      { name: 'active', type: 'boolean', merge: 'replace' },
    ],
  });

const upsertComments = (tables: SearchTables) =>
  bulkUpsert({
    table: tables.comments,
    key: ['id'],
    ordered: true,
    columns: [
      { name: 'id', type: 'uuid' },
      { name: 'post_id', type: 'uuid', merge: 'keep' },
      { name: 'created', type: 'boolean', merge: 'or' },
      { name: 'deleted', type: 'boolean', merge: 'or' },
    ],
  });

/** The tables a build appends its rows never written to with COPY (searchBatchWriter). */
export type SearchAppendedTable = 'posts' | 'likes' | 'comments';
/** The keys a generation being built has written to them (runtime/written-keys.ts). */
export type WrittenSearchRows = WrittenKeys<SearchAppendedTable>;
const KEY_COLUMNS: Record<SearchAppendedTable, readonly string[]> = { posts: ['id'], likes: ['post_id', 'user_id'], comments: ['id'] };

/**
 * The stored like and comment rows the batch touches: what their changes flip is what counts
 * move by. With `written` (a build, alone), only the keys it may have written are read, and the
 * others are `unstored`: their rows are appended with COPY.
 */
const readStoredState = async (
  db: pg.PoolClient,
  tables: SearchTables,
  changes: BatchChanges,
  written: WrittenSearchRows | undefined,
): Promise<StoredState & { unstored: Record<SearchAppendedTable, ReadonlySet<string>> }> => {
  if (written) await written.ready(() => addStoredKeys(db, written, KEY_COLUMNS, (table) => tables[table]));
  const unstored = {
    posts: unstoredKeys(changes.posts.keys(), 'posts', written),
    likes: unstoredKeys(changes.likes.keys(), 'likes', written),
    comments: unstoredKeys(changes.comments.keys(), 'comments', written),
  };
  const stored = { follows: new Map(), likes: new Map(), posts: new Map(), comments: new Map(), unstored };
  const likes = [...changes.likes].filter(([key]) => !unstored.likes.has(key) && (!written || written.mayHave('likes', key)));
  const comments = [...changes.comments.keys()].filter((id) => !unstored.comments.has(id) && (!written || written.mayHave('comments', id)));
  if (written) for (const table of ['posts', 'likes', 'comments'] as const) addWrittenKeys(written, table, changes[table].keys());
  if (likes.length > 0) {
    const pairs = likes.map(([, c]) => [c.postId, c.userId]);
    const { rows } = await db.query<{ post_id: string; user_id: string; active: boolean; rev: number }>(
      // One index lookup per pair (lateral): a join was planned as a scan of the likes table.
      `select l.post_id, l.user_id, l.active, l.rev
       from jsonb_array_elements($1::jsonb) k
       cross join lateral (select * from ${tables.likes} where post_id = (k->>0)::uuid and user_id = (k->>1)::uuid offset 0) l`,
      [JSON.stringify(pairs)],
    );
    for (const r of rows) stored.likes.set(pairKey(r.post_id, r.user_id), { active: r.active, rev: r.rev });
  }
  if (comments.length > 0) {
    const { rows } = await db.query<{ id: string; post_id: string | null; created: boolean; deleted: boolean }>(
      `select c.id, c.post_id, c.created, c.deleted from unnest($1::uuid[]) k(id)
       cross join lateral (select * from ${tables.comments} where id = k.id offset 0) c`,
      [comments],
    );
    // Replies are not counted apart here, so the parent does not matter.
    for (const r of rows) stored.comments.set(r.id, { postId: r.post_id, parentId: null, created: r.created, deleted: r.deleted });
  }
  return stored;
};

/** A post row's location columns (undefined, so NULL and kept, when the batch did not create the post). */
const locationColumns = (location: PostChange['location']) => ({
  location_id: location?.id,
  location_name: location?.name,
  location_key: location && normalizePlaceName(location.name),
  location_lat: location?.lat,
  location_lon: location?.lon,
});

const userRows = (changes: BatchChanges) =>
  [...changes.users.values()].map((u) => ({
    id: u.id,
    username: u.state?.value === 'erased' ? null : (u.username ?? null),
    display_name: u.displayName?.value ?? null,
    display_name_rev: u.displayName?.rev ?? -1,
    private: u.private?.value ?? null,
    private_rev: u.private?.rev ?? -1,
    state: u.state?.value ?? null,
    state_rev: u.state?.rev ?? -1,
  }));

const commentRows = (changes: BatchChanges) =>
  [...changes.comments.values()].map((c) => ({
    id: c.id,
    post_id: c.postId ?? null,
    created: c.createdAt !== undefined,
    deleted: c.deletedAt !== undefined,
  }));

/**
 * The posts' like and comment counts a building batch defers (runtime/deferred-counts.ts): the
 * store creates their table at a build's set-up and adds them into the posts at finishBuild,
 * before the rows derived from the counts (the tags' engagement).
 */
export const searchDeferredCounts = (tables: SearchTables) => deferredCounts([{ table: tables.posts, counters: ['like_count', 'comment_count'] }]);

/**
 * The writer of one generation's search tables: its statements are built once, here, not on
 * every batch of a rebuild.
 */
export const searchBatchWriter = (tables: SearchTables) => {
  const counts = searchDeferredCounts(tables);
  const statements = {
    users: upsertUsers(tables),
    posts: upsertPosts(tables),
    tags: syncTags(tables),
    insertLocations: insertLocations(tables),
    locations: syncLocations(tables),
    engagement: syncEngagement(tables),
    postsOfAuthors: postsOfAuthors(tables),
    likes: upsertLikes(tables),
    comments: upsertComments(tables),
  };
  /**
   * `deriving` false (a generation being built, before finishBuild): only the rows the events
   * write themselves (users, posts, likes, comments; the count-only moves of posts deferred) are stored, by this pass
   * alone, so no author lock is taken; the rows derived from them (tags, locations, their counts
   * and engagement) are derived once, set-based, by deriveEverySearchRow.
   */
  return async (db: pg.PoolClient, events: readonly RecordedEvent[], deriving = true, written?: WrittenSearchRows): Promise<void> => {
    // Each statement is index lookups over one batch's keys, but a table filled faster than its
    // statistics are refreshed is planned at a cost above jit_above_cost: compiling the plan then
    // took longer than running it (100 ms of a 120 ms statement, measured on a rebuild).
    await db.query('set local jit = off');
    const changes = foldChanges(events);
    const authors = deriving ? authorsOf(events) : [];
    if (authors.length > 0) await db.query(LOCK_AUTHORS, [authors]);
    const stored = await readStoredState(db, tables, changes, deriving ? undefined : written);
    const deltas = countDeltas(changes, stored);
    await upsertRows(db, statements.users, userRows(changes));
    const posts = postRows(changes, deltas, (change) => ({ created_day: change?.createdAt === undefined ? null : exploreDay(Date.parse(change.createdAt)) }));
    // While building, a post the batch only counted for goes to the deferred deltas (no new row version, no tsvector computed again).
    const upserted = deriving ? posts : posts.filter((row) => changes.posts.has(row.id));
    const postColumns = upserted.map((row) => ({ ...row, hashtags: row.hashtags && indexedHashtags(row.hashtags), ...locationColumns(changes.posts.get(row.id)?.location) }));
    const likes = deltas.likes.map((l) => ({ post_id: l.postId, user_id: l.userId, active: l.active, rev: l.rev }));
    if (!deriving) {
      // A build's rows never written are appended with COPY (runtime/copy-rows.ts), as the upserts would insert them.
      const newPost = (row: (typeof postColumns)[number]) => stored.unstored.posts.has(row.id) && storedAsGiven(row.created_at) && storedAsGiven(row.deleted_at);
      await upsertRows(db, statements.posts, await appendWhere(db, tables.posts, POST_COLUMNS, postColumns, { appendable: newPost, toColumns: insertedPost, order: byFields('id') }));
      await counts.defer(db, tables.posts, posts.filter((row) => !changes.posts.has(row.id)));
      const newLike = (row: (typeof likes)[number]) => stored.unstored.likes.has(pairKey(row.post_id, row.user_id));
      await upsertRows(db, statements.likes, await appendWhere(db, tables.likes, LIKE_COLUMNS, likes, { appendable: newLike, toColumns: asIs, order: byFields('post_id', 'user_id') }));
      const newComment = (row: { id: string }) => stored.unstored.comments.has(row.id);
      await upsertRows(db, statements.comments, await appendWhere(db, tables.comments, COMMENT_COLUMNS, commentRows(changes), { appendable: newComment, toColumns: asIs, order: byFields('id') }));
      return;
    }
    await upsertRows(db, statements.posts, postColumns);
    const authorsMoved = [...changes.users.values()].filter((user) => user.private !== undefined || user.state !== undefined).map((user) => user.id);
    const ofAuthors = authorsMoved.length > 0 ? (await db.query<{ id: string }>(statements.postsOfAuthors, [authorsMoved])).rows.map((row) => row.id) : [];
    const synced = [...new Set([...changes.posts.keys(), ...ofAuthors])];
    if (synced.length > 0) {
      await db.query(statements.tags, [synced]);
      await db.query(statements.insertLocations, [synced]);
      await db.query(statements.locations, [synced]);
    }
    const counted = posts.filter((row) => row.like_count !== 0 || row.comment_count !== 0).map((row) => row.id);
    if (counted.length > 0) await db.query(statements.engagement, [counted]);
    await upsertRows(db, statements.likes, likes);
    await upsertRows(db, statements.comments, commentRows(changes));
  };
};

// The columns of upsertPosts, upsertLikes (with `rev`) and upsertComments, and a post row as
// upsertPosts inserts it (an empty caption and no hashtags for none, the tags as an array literal).
const POST_COLUMNS = [
  'id',
  'author_id',
  'caption',
  'hashtags',
  'caption_rev',
  'created_at',
  'created_day',
  'deleted_at',
  'like_count',
  'comment_count',
  'location_id',
  'location_name',
  'location_key',
  'location_lat',
  'location_lon',
];
const LIKE_COLUMNS = ['post_id', 'user_id', 'active', 'rev'];
const COMMENT_COLUMNS = ['id', 'post_id', 'created', 'deleted'];
const insertedPost = (row: { caption?: string | undefined; hashtags?: readonly string[] | undefined }): Record<string, unknown> => ({
  ...row,
  caption: row.caption ?? '',
  hashtags: textArrayField(row.hashtags ?? []),
});
const asIs = (row: Record<string, unknown>) => row;
const storedAsGiven = (at: string | null | undefined) => at === null || at === undefined || MILLISECOND_TIME.test(at);

/**
 * Derives, from the users and posts a build's pass stored (searchBatchWriter, `deriving` false),
 * every row the batches left underived, by the rules the live statements keep them by (syncTags,
 * insertLocations, syncLocations, syncEngagement): the (tag, post) rows of live posts of listed
 * authors with their engagement and public flag, the public counts of each hashtag, the
 * locations named by live posts, and their (post, location) rows and public counts. What was
 * derived before is derived anew (a `resume` after a crash in the middle runs it again).
 */
export const deriveEverySearchRow = async (db: Queryable, tables: SearchTables): Promise<void> => {
  // Whole-table statements: hash joins and aggregates in memory (64MB, not 4MB, where they spill), no JIT.
  await db.query(`select set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`);
  for (const table of [tables.postTags, tables.hashtags, tables.postLocations, tables.locations]) await db.query(`delete from ${table}`);
  await db.query(`insert into ${tables.postTags} (tag, post_id, created_at, engagement, public)
select tag, post_id, created_at, engagement, public from (${wantedTags(tables, 'true')}) w`);
  await db.query(`insert into ${tables.hashtags} (tag, posts) select tag, count(*)::int from ${tables.postTags} where public group by tag`);
  await db.query(insertLocations(tables, 'true'));
  await db.query(`insert into ${tables.postLocations} (post_id, location_id, name, public)
select post_id, location_id, name, public from (${wantedLocations(tables, 'true')}) w`);
  await db.query(`
update ${tables.locations} l set posts = c.posts
from (select location_id, count(*)::int as posts from ${tables.postLocations} where public group by location_id) c
where l.id = c.location_id`);
};
