import type pg from 'pg';
import { FEED_SETTLE_PAST, settlesOn } from './feed-options.js';
import { feedPostgresSchema, feedTables } from './feed-schema-postgres.js';
import { assertScore, DEFAULT_FEED_CAP, type AuthoredEntry, type CelebrityState, type Follow, type FeedEntry, type FeedStore, type PostTags, type RangeQuery, type ViewerMarks } from './feed-store.js';
import { setUpPostgresSchema } from '../runtime/build-schema.js';
import { byFields, copyRows } from '../runtime/copy-rows.js';
import { inTransaction } from '../runtime/postgres-transaction.js';
import type { GenerationStorage } from '../runtime/read-model.js';
import type { WrittenKeys } from '../runtime/written-keys.js';

// The feed in PostgreSQL, for deployments without Redis (docs/architecture.md "Projections"). Each method is one
// autocommit statement (a push's settle a second one), never a transaction spanning the projection's
// steps: the projection writes its own fact and only then reads the other side's, which needs
// every write committed before the read that follows it (see feed-projection.ts).
//
// Trimming at the cap is amortized as in Redis (FEED_TRIM_EVERY and settlesOn in feed-options.ts,
// with the reason): a fan-out push only inserts, and settles (trims back to the cap, raising the
// floor) only the feeds settlesOn chooses among those it took past the cap, and any it left more
// than FEED_SETTLE_PAST past it; a backfill settles every feed it took past the cap, and a removal
// settles first, in the removal's own statement (settleThen). Between settles no read shows the entries past the cap:
// `feed` answers only entries above the cut (the score at rank `feedCap`, newest first) and
// `feedFloor` is at least the cut, exactly what a trim at every push would have left. The cut is
// found from the feed's oldest end, at its exact size minus the cap (`cutOf`): a few index entries.

export interface PostgresFeedStoreOptions {
  /** Prefix of every table name (default 'feed_'): a rebuild fills a new generation under another. */
  tablePrefix?: string;
  feedCap?: number;
  /** The generation's mode: 'build' sets up the bulk-load shape (runtime/build-schema.ts). */
  mode?: GenerationStorage['mode'];
  /**
   * For a generation being built, written by the replay pass alone until finishBuild (which
   * closes it): the feed entries it has written, so that the new ones are appended with COPY (push).
   */
  written?: WrittenFeedEntries | undefined;
}

/** The feed entries (user, post) a generation being built has written (runtime/written-keys.ts). */
export type WrittenFeedEntries = WrittenKeys<'items'>;

const entryKey = (userId: string, postId: string) => `${userId}\u0000${postId}`;
const ENTRY_KEYS_PAGE = 20_000;

const DEADLOCK = '40P01';

/**
 * Statements that touch many feeds at once (a fan-out chunk, a removal) may deadlock with one
 * another on the feeds' size rows; every statement here is idempotent, so it is simply retried.
 */
const retryingDeadlocks = async <T>(run: () => Promise<T>): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if ((error as { code?: string }).code !== DEADLOCK || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
};

/** Of the feeds a push took past the cap, those it settles (trims back to the cap). */
type Settling = (over: ReadonlySet<string>) => ReadonlySet<string>;
const everyFeed: Settling = (over) => over;
/** A fan-out's: the feeds settlesOn chooses for one of the posts pushed into them. */
const chosenBySettlesOn =
  (posts: readonly { entry: FeedEntry; userIds: readonly string[] }[]): Settling =>
  (over) => {
    const chosen = new Set<string>();
    for (const { entry, userIds } of posts) {
      const settles = settlesOn(entry.postId);
      for (const userId of userIds) if (over.has(userId) && settles(userId)) chosen.add(userId);
    }
    return chosen;
  };

export const createPostgresFeedStore = (db: pg.Pool, options: PostgresFeedStoreOptions = {}): FeedStore => {
  const t = feedTables(options.tablePrefix ?? 'feed_');
  const feedCap = options.feedCap ?? DEFAULT_FEED_CAP;
  // Written into the statements (the cut's offset needs it beside a column).
  if (!Number.isSafeInteger(feedCap) || feedCap < 1) throw new RangeError(`feed cap must be a positive integer, got ${feedCap}`);
  /**
   * SQL: the cut of the feed whose size row is `m` (FEED_TRIM_EVERY): the score at rank `feedCap`
   * newest first, null while the feed holds no more than the cap. Read from the oldest end, at the
   * size minus the cap (sizes are exact), so it costs the entries past the cap, never the feed.
   */
  const cutOf = (m: string) =>
    `case when ${m}.size > ${feedCap} then (select c.score from ${t.items} c where c.user_id = ${m}.user_id
       order by c.score, c.post_id offset ${m}.size - ${feedCap + 1} limit 1) end`;
  const query = <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    retryingDeadlocks(() => db.query<R>(sql, params)).then((result) => result.rows);

  /** Newest-first ranges of one table, one per owner, in one round trip; of feeds (`capped`), only the entries above their cuts. */
  const ranges = async (table: string, ownerColumn: string, owners: readonly string[], range: RangeQuery, capped = false): Promise<FeedEntry[][]> => {
    if (owners.length === 0 || range.limit <= 0) return owners.map(() => []);
    const params: unknown[] = [owners, range.limit];
    const conditions = [`${ownerColumn} = o.owner`];
    if (range.after) {
      params.push(range.after.score, range.after.postId);
      conditions.push(`(score, post_id) < ($${params.length - 1}::bigint, $${params.length}::text)`);
    }
    if (range.minScore != null) {
      params.push(range.minScore);
      conditions.push(`score >= $${params.length}::bigint`);
    }
    if (capped) conditions.push('(cut.score is null or score > cut.score)');
    const rows = await query<{ ord: string; post_id: string; score: string }>(
      `select o.ord, e.post_id, e.score
         from unnest($1::text[]) with ordinality as o(owner, ord)
         ${capped ? `left join lateral (select ${cutOf('m')} as score from ${t.meta} m where m.user_id = o.owner) cut on true` : ''}
         cross join lateral (
           select post_id, score from ${table} where ${conditions.join(' and ')}
           order by score desc, post_id desc limit $2
         ) e
        order by o.ord, e.score desc, e.post_id desc`,
      params,
    );
    const result: FeedEntry[][] = owners.map(() => []);
    for (const row of rows) result[Number(row.ord) - 1]!.push({ postId: row.post_id, score: Number(row.score) });
    return result;
  };

  /**
   * Inserts (user, post, score) rows, counting into each feed's size only the rows really
   * inserted (a repeat adds nothing), then settles the feeds `settling` chooses among those it
   * took over the cap, and those it took more than FEED_SETTLE_PAST over it.
   */
  const push = async (userIds: readonly string[], postIds: readonly string[], scores: readonly number[], settling: Settling): Promise<void> => {
    if (userIds.length === 0) return;
    scores.forEach(assertScore);
    if (options.written?.open) return pushWhileBuilding(options.written, userIds, postIds, scores, settling);
    return pushAll(userIds, postIds, scores, settling);
  };

  const pushAll = async (userIds: readonly string[], postIds: readonly string[], scores: readonly number[], settling: Settling): Promise<void> => {
    if (userIds.length === 0) return;
    const grown = await query<{ user_id: string; size: number }>(
      `with added as (
         insert into ${t.items} (user_id, post_id, score)
         select * from unnest($1::text[], $2::text[], $3::bigint[]) order by 1, 2
         on conflict do nothing
         returning user_id
       )
       insert into ${t.meta} as m (user_id, size)
       select user_id, count(*) from added group by user_id order by user_id
       on conflict (user_id) do update set size = m.size + excluded.size
       returning user_id, size`,
      [userIds, postIds, scores],
    );
    await settleOver(grown, settling);
  };

  // The sizes are the ones this statement left (the size rows' locks order concurrent pushes):
  // of pushes that take a feed over the cap, the last one sees it over. A feed left unsettled
  // reads the same (the cut), and the next chosen push, or removal, settles it.
  const settleOver = async (grown: readonly { user_id: string; size: number }[], settling: Settling) => {
    const over = new Set<string>();
    const settled = new Set<string>();
    for (const row of grown) {
      if (row.size > feedCap + FEED_SETTLE_PAST) settled.add(row.user_id);
      else if (row.size > feedCap) over.add(row.user_id);
    }
    if (over.size > 0) for (const userId of settling(over)) settled.add(userId);
    if (settled.size > 0) await settleThen([...settled], null);
  };

  // While a generation is built, the pass is its only writer: an entry it has not written yet is
  // not stored (nothing to conflict with), so it is appended with COPY, and the feeds' sizes grow
  // by the entries appended, in one transaction (as pushAll's one statement); the others (a post
  // a user gets through a tag and through its author, or again after a removal) go through
  // pushAll. An entry's key is added before it is written: one added but not written (a failed
  // write) only takes the upsert later. pushAll waits for the appends in flight: an upsert of an
  // entry being appended that went first would make the append fail on the key.
  const appending = new Set<Promise<unknown>>();
  const pushWhileBuilding = async (
    written: WrittenFeedEntries,
    userIds: readonly string[],
    postIds: readonly string[],
    scores: readonly number[],
    settling: Settling,
  ): Promise<void> => {
    await written.ready(() => addStoredEntries(written));
    const appended: { user_id: string; post_id: string; score: number }[] = [];
    const upserted: number[] = [];
    userIds.forEach((userId, i) => {
      if (written.addNew('items', entryKey(userId, postIds[i]!))) appended.push({ user_id: userId, post_id: postIds[i]!, score: scores[i]! });
      else upserted.push(i);
    });
    const append = appended.length > 0 ? appendEntries(appended, settling) : Promise.resolve();
    appending.add(append);
    try {
      await Promise.all([
        append,
        (async () => {
          if (upserted.length === 0) return;
          // This push's own appends too: an entry twice in one push is appended, then upserted.
          await Promise.allSettled([...appending]);
          await pushAll(
            upserted.map((i) => userIds[i]!),
            upserted.map((i) => postIds[i]!),
            upserted.map((i) => scores[i]!),
            settling,
          );
        })(),
      ]);
    } finally {
      appending.delete(append);
    }
  };

  const appendEntries = async (entries: readonly { user_id: string; post_id: string; score: number }[], settling: Settling): Promise<void> => {
    const sizes = new Map<string, number>();
    for (const entry of entries) sizes.set(entry.user_id, (sizes.get(entry.user_id) ?? 0) + 1);
    const users = [...sizes.keys()];
    const grown = await retryingDeadlocks(() =>
      inTransaction(db, async (client) => {
        // In the key's order (copy-rows.ts appendWhere): a fan-out's entries come post by post, to followers in no order.
        await copyRows(client, t.items, ['user_id', 'post_id', 'score'], [...entries].sort(byFields('user_id', 'post_id')));
        const { rows } = await client.query<{ user_id: string; size: number }>(
          `insert into ${t.meta} as m (user_id, size)
           select * from unnest($1::text[], $2::int[]) order by 1
           on conflict (user_id) do update set size = m.size + excluded.size
           returning user_id, size`,
          [users, users.map((userId) => sizes.get(userId)!)],
        );
        return rows;
      }),
    );
    await settleOver(grown, settling);
  };

  /** Gives `written` every feed entry stored (none, when a build starts), a page at a time by key. */
  const addStoredEntries = async (written: WrittenFeedEntries): Promise<void> => {
    let after: [string, string] | undefined;
    for (;;) {
      const { rows } = await db.query<{ user_id: string; post_id: string }>(
        `select user_id, post_id from ${t.items} ${after ? 'where (user_id, post_id) > ($1, $2)' : ''} order by user_id, post_id limit ${ENTRY_KEYS_PAGE}`,
        after ?? [],
      );
      for (const row of rows) written.add('items', entryKey(row.user_id, row.post_id));
      if (rows.length < ENTRY_KEYS_PAGE) return;
      after = [rows.at(-1)!.user_id, rows.at(-1)!.post_id];
    }
  };

  /**
   * One statement: settles each feed of `users` (or a query of their ids) that holds more than the
   * cap (its floor rises to the cut and the entries at or below it go, ties with the cut included:
   * the floor covers them), then deletes the entries `removal` names (a DELETE of the items as `i`
   * with its USING and WHERE, no RETURNING) among those the settle keeps, and drops each feed's
   * size by its entries really deleted. The settle comes first so that a removal never brings
   * entries past the cap back into view (they would be below a floor that then never rose). Both
   * deletions see the statement's one snapshot, and touch disjoint rows (below the cut, above it).
   */
  const settleThen = (users: string | readonly string[], removal: string | null, params: unknown[] = []) => {
    // An array, not `in (subquery)`: the planner then looks each size row up by key, where a
    // semi join could scan them all against every user (seen: 958 ms for 622 feeds).
    const given = typeof users === 'string' ? `array(${users})` : `$${params.push(users)}::text[]`;
    return query(
      `with cuts as (
         select m.user_id, ${cutOf('m')} as cut from ${t.meta} m
          where m.user_id = any(${given}) and m.size > ${feedCap}
       ),
       trimmed as (
         delete from ${t.items} i using cuts where i.user_id = cuts.user_id and i.score <= cuts.cut
         returning i.user_id
       ),
       ${
         removal === null
           ? ''
           : `removed as (
         ${removal}
            and not exists (select 1 from cuts where cuts.user_id = i.user_id and i.score <= cuts.cut)
         returning i.user_id
       ),`
       }
       changes as (
         select user_id, sum(n)::int as n, max(cut) as cut from (
           select user_id, 0 as n, cut from cuts where cut is not null
           union all select user_id, 1, null from trimmed
           ${removal === null ? '' : 'union all select user_id, 1, null from removed'}
         ) changed group by user_id
       )
       update ${t.meta} m set floor = greatest(m.floor, changes.cut), size = m.size - changes.n
         from changes where m.user_id = changes.user_id`,
      params,
    );
  };

  /**
   * Deletes the entries of `rows` (an unnest of user_id, post_id and any other columns the
   * condition reads, as `r`) that meet `condition`, each feed settled first (settleThen).
   */
  const removeWhere = (rows: string, condition: string, params: unknown[]) =>
    settleThen(`select r.user_id from ${rows}`, `delete from ${t.items} i using ${rows} where i.user_id = r.user_id and i.post_id = r.post_id${condition}`, params);
  const remove = (userIds: readonly string[], postIds: readonly string[]) =>
    removeWhere('unnest($1::text[], $2::text[]) as r(user_id, post_id)', '', [userIds, postIds]);

  const marksAmong = async (userId: string, postIds: readonly string[]): Promise<ViewerMarks> => {
    const marks: ViewerMarks = { liked: new Set(), saved: new Set() };
    if (postIds.length === 0) return marks;
    const rows = await query<{ kind: 'liked' | 'saved'; post_id: string }>(
      `select kind, post_id from ${t.marks} where user_id = $1 and post_id = any($2::text[])`,
      [userId, postIds],
    );
    for (const row of rows) marks[row.kind].add(row.post_id);
    return marks;
  };

  const addToTimelines = async (posts: readonly AuthoredEntry[]): Promise<void> => {
    if (posts.length === 0) return;
    posts.forEach((post) => assertScore(post.score));
    await query(
      `insert into ${t.timelines} (author_id, post_id, score)
       select * from unnest($1::text[], $2::text[], $3::bigint[]) order by 1, 2
       on conflict do nothing`,
      [posts.map((post) => post.authorId), posts.map((post) => post.postId), posts.map((post) => post.score)],
    );
  };

  // The follower count moves only by the rows really inserted: exact under repeats (one follow is a batch of one).
  const addFollows = async (follows: readonly Follow[]): Promise<void> => {
    if (follows.length === 0) return;
    await query(
      `with added as (
         insert into ${t.follows} (follower_id, followee_id)
         select * from unnest($1::text[], $2::text[]) order by 1, 2
         on conflict do nothing returning followee_id
       )
       insert into ${t.followerCounts} as c (user_id, followers)
       select followee_id, count(*) from added group by followee_id order by followee_id
       on conflict (user_id) do update set followers = c.followers + excluded.followers`,
      [follows.map((follow) => follow.followerId), follows.map((follow) => follow.followeeId)],
    );
  };

  const store: FeedStore = {
    feedCap,
    // A commit is durable on the primary; a streaming replica is read through minPosition waits.
    replicated: async () => undefined,
    setup: async () => {
      // Several projections (or instances) may set up at once; one at a time creates the tables.
      await setUpPostgresSchema(db, feedPostgresSchema(t), options.mode ?? 'live');
    },

    addToTimeline: (authorId, entry) => addToTimelines([{ ...entry, authorId }]),
    addToTimelines,
    removeFromTimeline: async (authorId, postId) => {
      await query(`delete from ${t.timelines} where author_id = $1 and post_id = $2`, [authorId, postId]);
    },
    timelines: (authorIds, range) => ranges(t.timelines, 'author_id', authorIds, range),

    markDeleted: async (postId) => {
      await query(`insert into ${t.deleted} (post_id) values ($1) on conflict do nothing`, [postId]);
    },
    deletedAmong: async (postIds) => {
      if (postIds.length === 0) return new Set();
      const rows = await query<{ post_id: string }>(`select post_id from ${t.deleted} where post_id = any($1::text[])`, [postIds]);
      return new Set(rows.map((row) => row.post_id));
    },

    // The follower count moves only by the rows really inserted or deleted: exact under repeats.
    addFollow: (followerId, followeeId) => addFollows([{ followerId, followeeId }]),
    addFollows,
    removeFollow: async (followerId, followeeId) => {
      await query(
        `with removed as (
           delete from ${t.follows} where follower_id = $1 and followee_id = $2 returning followee_id
         )
         update ${t.followerCounts} c set followers = c.followers - 1 from removed where c.user_id = removed.followee_id`,
        [followerId, followeeId],
      );
    },
    followerCount: async (userId) => {
      const rows = await query<{ followers: number }>(`select followers from ${t.followerCounts} where user_id = $1`, [userId]);
      return rows[0]?.followers ?? 0;
    },
    followerCounts: async (userIds) => {
      const counts = new Map(userIds.map((userId) => [userId, 0]));
      if (userIds.length === 0) return counts;
      const rows = await query<{ user_id: string; followers: number }>(`select user_id, followers from ${t.followerCounts} where user_id = any($1::text[])`, [
        userIds,
      ]);
      for (const row of rows) counts.set(row.user_id, row.followers);
      return counts;
    },
    followersOf: async (userIds) => {
      const followers = new Map(userIds.map((userId) => [userId, [] as string[]]));
      if (userIds.length === 0) return followers;
      const rows = await query<{ followee_id: string; follower_id: string }>(
        `select followee_id, follower_id from ${t.follows} where followee_id = any($1::text[])`,
        [userIds],
      );
      for (const row of rows) followers.get(row.followee_id)!.push(row.follower_id);
      return followers;
    },
    async *followerChunks(userId, chunkSize) {
      let after = '';
      for (;;) {
        const rows = await query<{ follower_id: string }>(
          `select follower_id from ${t.follows} where followee_id = $1 and follower_id > $2 order by follower_id limit $3`,
          [userId, after, chunkSize],
        );
        if (rows.length === 0) return;
        yield rows.map((row) => row.follower_id);
        if (rows.length < chunkSize) return;
        after = rows.at(-1)!.follower_id;
      }
    },
    followersAmong: async (userId, candidateIds) => {
      if (candidateIds.length === 0) return new Set();
      const rows = await query<{ follower_id: string }>(
        `select follower_id from ${t.follows} where followee_id = $1 and follower_id = any($2::text[])`,
        [userId, candidateIds],
      );
      return new Set(rows.map((row) => row.follower_id));
    },
    followersAmongMany: async (queries) => {
      const found = queries.map(() => new Set<string>());
      const [ords, candidates] = [queries.flatMap(({ candidateIds }, i) => candidateIds.map(() => i)), queries.flatMap(({ candidateIds }) => candidateIds)];
      if (candidates.length === 0) return found;
      const rows = await query<{ ord: number; follower_id: string }>(
        `select q.ord, f.follower_id
           from unnest($1::int[], $2::text[], $3::text[]) as q(ord, followee_id, follower_id)
           join ${t.follows} f on f.followee_id = q.followee_id and f.follower_id = q.follower_id`,
        [ords, ords.map((i) => queries[i]!.userId), candidates],
      );
      for (const row of rows) found[row.ord]!.add(row.follower_id);
      return found;
    },
    following: async (userId) => {
      const rows = await query<{ followee_id: string }>(`select followee_id from ${t.follows} where follower_id = $1`, [userId]);
      return rows.map((row) => row.followee_id);
    },

    celebrityStates: async (userIds) => {
      if (userIds.length === 0) return new Map();
      const rows = await query<{ user_id: string; state: CelebrityState }>(
        `select user_id, state from ${t.celebrities} where user_id = any($1::text[])`,
        [userIds],
      );
      return new Map(rows.map((row) => [row.user_id, row.state]));
    },
    setCelebrityState: async (userId, state) => {
      if (state === null) await query(`delete from ${t.celebrities} where user_id = $1`, [userId]);
      else {
        await query(
          `insert into ${t.celebrities} (user_id, state) values ($1, $2) on conflict (user_id) do update set state = excluded.state`,
          [userId, state],
        );
      }
    },

    // A fan-out settles the feeds settlesOn chooses; a backfill every feed it takes over the cap.
    pushToFeeds: (userIds, entry) =>
      push(
        userIds,
        userIds.map(() => entry.postId),
        userIds.map(() => entry.score),
        chosenBySettlesOn([{ entry, userIds }]),
      ),
    pushToFeed: (userId, entries) =>
      push(
        entries.map(() => userId),
        entries.map((entry) => entry.postId),
        entries.map((entry) => entry.score),
        everyFeed,
      ),
    pushToFeedsMany: (posts) =>
      push(
        posts.flatMap(({ userIds }) => userIds),
        posts.flatMap(({ entry, userIds }) => userIds.map(() => entry.postId)),
        posts.flatMap(({ entry, userIds }) => userIds.map(() => entry.score)),
        chosenBySettlesOn(posts),
      ),
    pushToFeedMany: (feeds) =>
      push(
        feeds.flatMap(({ userId, entries }) => entries.map(() => userId)),
        feeds.flatMap(({ entries }) => entries.map((entry) => entry.postId)),
        feeds.flatMap(({ entries }) => entries.map((entry) => entry.score)),
        everyFeed,
      ),
    removeFromFeeds: async (userIds, postId) => {
      if (userIds.length > 0) await remove(userIds, userIds.map(() => postId));
    },
    removeFromFeed: async (userId, postIds) => {
      if (postIds.length > 0) await remove(postIds.map(() => userId), postIds);
    },
    // One statement: the follows it reads are those standing when it starts, and a push that
    // commits after that is not among the rows it deletes. What is left: a follow committed, and
    // its push finding the entry still there (a no-op), both inside this one statement's run,
    // before it deletes that entry (Redis's script leaves nothing). Tags hold no space (kernel/hashtags.ts).
    removeUnwantedFromFeeds: async (removals, { byFollow }) => {
      const rows = removals.flatMap(({ userId, posts }) => posts.filter((post) => post.authorId !== userId).map((post) => ({ userId, ...post })));
      if (rows.length === 0) return;
      await removeWhere(
        'unnest($1::text[], $2::text[], $3::text[], $4::text[]) as r(user_id, post_id, author_id, tags)',
        ` and not ($5::boolean and exists (select 1 from ${t.follows} f where f.follower_id = r.user_id and f.followee_id = r.author_id))
          and not exists (select 1 from ${t.tagFollows} tf where tf.user_id = r.user_id and tf.tag = any(string_to_array(r.tags, ' ')))`,
        [rows.map((row) => row.userId), rows.map((row) => row.postId), rows.map((row) => row.authorId), rows.map((row) => row.tags.join(' ')), byFollow],
      );
    },
    feed: async (userId, range) => (await ranges(t.items, 'user_id', [userId], range, true))[0]!,
    // Entries past the cap included: a removal that starts from here reaches them too.
    oldestInFeed: async (userId) => {
      const rows = await query<{ score: string }>(`select score from ${t.items} where user_id = $1 order by score, post_id limit 1`, [userId]);
      return rows[0] ? Number(rows[0].score) : null;
    },
    // The stored floor or the cut, whichever is higher (greatest ignores a null).
    feedFloor: async (userId) => {
      const rows = await query<{ floor: string | null }>(`select greatest(m.floor, ${cutOf('m')}) as floor from ${t.meta} m where m.user_id = $1`, [userId]);
      return rows[0]?.floor == null ? null : Number(rows[0].floor);
    },
    feedFloors: async (userIds) => {
      const floors = new Map<string, number | null>(userIds.map((userId) => [userId, null]));
      if (userIds.length === 0) return floors;
      const rows = await query<{ user_id: string; floor: string | null }>(
        `select * from (select m.user_id, greatest(m.floor, ${cutOf('m')}) as floor from ${t.meta} m where m.user_id = any($1::text[])) f where floor is not null`,
        [userIds],
      );
      for (const row of rows) floors.set(row.user_id, Number(row.floor));
      return floors;
    },
    raiseFeedFloor: async (userId, score) => {
      assertScore(score);
      await query(
        `insert into ${t.meta} as m (user_id, floor) values ($1, $2)
         on conflict (user_id) do update set floor = greatest(m.floor, excluded.floor)`,
        [userId, score],
      );
    },

    // The generic path, with the queries above: the floor first, then the feed above it with its
    // marks beside the pulled authors followed.
    homeWindow: async (userId, { after, limit }) => {
      const pushed = async () => {
        const floor = await store.feedFloor(userId);
        const above = floor === null || after === null || after.score > floor;
        const entries = above ? await store.feed(userId, { after, minScore: floor === null ? null : floor + 1, limit }) : [];
        return { floor, entries, marks: await marksAmong(userId, entries.map((entry) => entry.postId)) };
      };
      const pulledFollowed = async () => {
        const following = await store.following(userId);
        const states = await store.celebrityStates(following);
        return following.filter((authorId) => states.has(authorId));
      };
      const followsTags = async () => (await query(`select 1 from ${t.tagFollows} where user_id = $1 limit 1`, [userId])).length > 0;
      const [window, pulled, tags] = await Promise.all([pushed(), pulledFollowed(), followsTags()]);
      return { ...window, pulled, followsTags: tags };
    },

    addMark: async (kind, userId, postId) => {
      await query(`insert into ${t.marks} (user_id, kind, post_id) values ($1, $2, $3) on conflict do nothing`, [userId, kind, postId]);
    },
    removeMark: async (kind, userId, postId) => {
      await query(`delete from ${t.marks} where user_id = $1 and kind = $2 and post_id = $3`, [userId, kind, postId]);
    },
    // At most one change per (kind, user, post): the added and the removed ones are two statements.
    setMarks: async (changes) => {
      const columns = (marked: boolean) => {
        const chosen = changes.filter((change) => change.marked === marked);
        return [chosen.map((change) => change.userId), chosen.map((change) => change.kind), chosen.map((change) => change.postId)];
      };
      const [added, removed] = [columns(true), columns(false)];
      if (added[0]!.length > 0) {
        await query(
          `insert into ${t.marks} (user_id, kind, post_id)
           select * from unnest($1::text[], $2::text[], $3::text[]) order by 1, 2, 3
           on conflict do nothing`,
          added,
        );
      }
      if (removed[0]!.length > 0) {
        await query(
          `delete from ${t.marks} m using unnest($1::text[], $2::text[], $3::text[]) as r(user_id, kind, post_id)
            where m.user_id = r.user_id and m.kind = r.kind and m.post_id = r.post_id`,
          removed,
        );
      }
    },
    marksAmong,

    addTagFollow: async (userId, tag) => {
      await query(`insert into ${t.tagFollows} (user_id, tag) values ($1, $2) on conflict do nothing`, [userId, tag]);
    },
    removeTagFollow: async (userId, tag) => {
      await query(`delete from ${t.tagFollows} where user_id = $1 and tag = $2`, [userId, tag]);
    },
    followedTagsOf: async (userIds) => {
      const tags = new Map(userIds.map((userId) => [userId, [] as string[]]));
      if (userIds.length === 0) return tags;
      const rows = await query<{ user_id: string; tag: string }>(`select user_id, tag from ${t.tagFollows} where user_id = any($1::text[])`, [userIds]);
      for (const row of rows) tags.get(row.user_id)!.push(row.tag);
      return tags;
    },
    async *tagFollowerChunks(tag, chunkSize) {
      let after = '';
      for (;;) {
        const rows = await query<{ user_id: string }>(
          `select user_id from ${t.tagFollows} where tag = $1 and user_id > $2 order by user_id limit $3`,
          [tag, after, chunkSize],
        );
        if (rows.length === 0) return;
        yield rows.map((row) => row.user_id);
        if (rows.length < chunkSize) return;
        after = rows.at(-1)!.user_id;
      }
    },
    tagsWithFollowers: async (tags) => {
      if (tags.length === 0) return new Set();
      const rows = await query<{ tag: string }>(
        `select t.tag from unnest($1::text[]) as t(tag) where exists (select 1 from ${t.tagFollows} f where f.tag = t.tag)`,
        [[...new Set(tags)]],
      );
      return new Set(rows.map((row) => row.tag));
    },
    tagFollowersAmongMany: async (queries) => {
      const found = queries.map(() => new Set<string>());
      const ords = queries.flatMap(({ candidateIds }, i) => candidateIds.map(() => i));
      if (ords.length === 0) return found;
      const rows = await query<{ ord: number; user_id: string }>(
        `select q.ord, f.user_id
           from unnest($1::int[], $2::text[], $3::text[]) as q(ord, tag, user_id)
           join ${t.tagFollows} f on f.tag = q.tag and f.user_id = q.user_id`,
        [ords, ords.map((i) => queries[i]!.tag), queries.flatMap(({ candidateIds }) => candidateIds)],
      );
      for (const row of rows) found[row.ord]!.add(row.user_id);
      return found;
    },
    // The post's tags first: a removal that finds them reaches every timeline row written after.
    addToTagTimelines: async (posts) => {
      const tagged = posts.filter((post) => post.tags.length > 0);
      if (tagged.length === 0) return;
      tagged.forEach((post) => assertScore(post.score));
      await query(
        `insert into ${t.postTags} (post_id, author_id, tags)
         select p.post_id, p.author_id, array(select jsonb_array_elements_text(p.tags))
           from jsonb_to_recordset($1::jsonb) as p(post_id text, author_id text, tags jsonb)
          order by 1
         on conflict do nothing`,
        [JSON.stringify(tagged.map((post) => ({ post_id: post.postId, author_id: post.authorId, tags: post.tags })))],
      );
      const rows = tagged.flatMap((post) => post.tags.map((tag) => ({ tag, post })));
      await query(
        `insert into ${t.tagTimelines} (tag, post_id, score)
         select * from unnest($1::text[], $2::text[], $3::bigint[]) order by 1, 2
         on conflict do nothing`,
        [rows.map((row) => row.tag), rows.map((row) => row.post.postId), rows.map((row) => row.post.score)],
      );
    },
    // The tags are forgotten last, so that a retry after a crash still finds them.
    removeFromTagTimelines: async (postId) => {
      await query(`delete from ${t.tagTimelines} where post_id = $1 and tag = any(select unnest(tags) from ${t.postTags} where post_id = $1)`, [postId]);
      await query(`delete from ${t.postTags} where post_id = $1`, [postId]);
    },
    tagTimelines: (tags, range) => ranges(t.tagTimelines, 'tag', tags, range),
    postTags: async (postIds) => {
      const found = new Map<string, PostTags>();
      if (postIds.length === 0) return found;
      const rows = await query<{ post_id: string; author_id: string; tags: string[] }>(
        `select post_id, author_id, tags from ${t.postTags} where post_id = any($1::text[])`,
        [postIds],
      );
      for (const row of rows) found.set(row.post_id, { authorId: row.author_id, tags: row.tags });
      return found;
    },

    // One statement: the followees' counts drop by the follows really deleted, as removeFollow's do.
    eraseUser: async (userId) => {
      await query(
        `with unfollowed as (
           delete from ${t.follows} where follower_id = $1 returning followee_id
         ),
         counts as (
           update ${t.followerCounts} c set followers = c.followers - 1 from unfollowed u where c.user_id = u.followee_id
         ),
         followers as (delete from ${t.follows} where followee_id = $1),
         own_count as (delete from ${t.followerCounts} where user_id = $1),
         feed as (delete from ${t.items} where user_id = $1),
         meta as (delete from ${t.meta} where user_id = $1),
         timeline as (delete from ${t.timelines} where author_id = $1),
         marks as (delete from ${t.marks} where user_id = $1),
         tag_follows as (delete from ${t.tagFollows} where user_id = $1)
         delete from ${t.celebrities} where user_id = $1`,
        [userId],
      );
    },
  };
  return store;
};
