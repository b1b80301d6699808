import type pg from 'pg';
import type { EventsOf, RecordedEvent } from '../../events/index.js';
import { affinityHorizonSql, affinitySumSql, RANKING } from '../feed/ranking.js';
import { upsertRows } from '../runtime/bulk-upsert.js';
import { byFields, copyRows, MILLISECOND_TIME } from '../runtime/copy-rows.js';
import { isUuid } from './keyset.js';

// The viewer-to-author affinity of the ranked home feed (docs/architecture.md "Ranked home feed"),
// kept in the profiles read model's `affinity_sources`: one row per interaction, keyed by the
// stream that records it (like-{post}-{user}, comment-{id}, storyview-{story}-{viewer}), so that
// it is a register of that one stream: the row carries the stream revision that last wrote it,
// and only a higher one overwrites it (a batch applied twice, or an older one late, changes
// nothing). An Unliked or a CommentDeleted makes the row inactive; a like again makes it active
// again with its new time. A self-interaction is not stored (no one ranks their own posts by it).
// An erased account's rows go, as viewer and as author, and no row naming an erased account is
// written afterwards (a late batch of another instance), so the table is a function of the log.
// The decay is applied at read time (ranking.ts), so nothing here depends on the clock.
// Profile views have no event (a read that appends would make every profile page a write), so
// they are not an input.

/** The events this table follows (besides the register fold's: StoryViewed is the profiles projection's only for this). */
export const affinityEventTypes = ['Liked', 'Unliked', 'CommentAdded', 'CommentDeleted', 'StoryViewed', 'AccountErased'] as const;
type AffinityEvent = { [T in (typeof affinityEventTypes)[number]]: RecordedEvent<EventsOf<T>> }[(typeof affinityEventTypes)[number]];

/** A source's net change in a batch; `interaction` is known when the batch holds the event that made it. */
export interface AffinityChange {
  sourceId: string;
  rev: number;
  active: boolean;
  interaction?: { viewerId: string; authorId: string; weight: number; at: string };
  /**
   * The batch holds the stream's first event (revision 0): no earlier batch can have written its
   * row, since only its own stream's events write it, in log order.
   */
  fromStreamStart: boolean;
}

export interface AffinityChanges {
  sources: Map<string, AffinityChange>;
  /** Accounts erased in the batch. */
  erased: Set<string>;
}

const FOLLOWED = new Set<string>(affinityEventTypes);

export const foldAffinity = (events: readonly RecordedEvent[]): AffinityChanges => {
  const changes: AffinityChanges = { sources: new Map(), erased: new Set() };
  const set = (event: RecordedEvent, active: boolean, interaction?: AffinityChange['interaction']) => {
    const current = changes.sources.get(event.streamId);
    if (current && current.rev >= event.streamRevision) return;
    // An interaction made earlier in the batch stays known to a later undo of the same stream.
    const known = interaction ?? current?.interaction;
    const fromStreamStart = event.streamRevision === 0 || (current?.fromStreamStart ?? false);
    changes.sources.set(event.streamId, { sourceId: event.streamId, rev: event.streamRevision, active, fromStreamStart, ...(known && { interaction: known }) });
  };
  const made = (event: RecordedEvent, viewerId: string, authorId: string, weight: number, at: string) => {
    if (viewerId !== authorId) set(event, true, { viewerId, authorId, weight, at });
  };
  for (const event of events as readonly AffinityEvent[]) {
    if (!FOLLOWED.has(event.type)) continue;
    switch (event.type) {
      case 'Liked':
        made(event, event.data.userId, event.data.postAuthorId, RANKING.AFFINITY_LIKE, event.data.likedAt);
        break;
      case 'CommentAdded':
        made(event, event.data.authorId, event.data.postAuthorId, RANKING.AFFINITY_COMMENT, event.data.createdAt);
        break;
      case 'StoryViewed':
        made(event, event.data.viewerId, event.data.authorId, RANKING.AFFINITY_STORY_VIEW, event.data.viewedAt);
        break;
      case 'Unliked':
      case 'CommentDeleted':
        set(event, false);
        break;
      case 'AccountErased':
        changes.erased.add(event.data.userId);
        break;
    }
  }
  return changes;
};

const UPSERT = `insert into affinity_sources as s (source_id, viewer_id, author_id, weight, at, active, rev)
select r.source_id, r.viewer_id, r.author_id, r.weight, date_trunc('milliseconds', r.at), r.active, r.rev
from json_to_recordset($1::json) as r(source_id text, viewer_id uuid, author_id uuid, weight real, at timestamptz, active boolean, rev int)
order by r.source_id
on conflict (source_id) do update set weight = excluded.weight, at = excluded.at, active = excluded.active, rev = excluded.rev
where s.rev < excluded.rev`;

const AFFINITY_COLUMNS = ['source_id', 'viewer_id', 'author_id', 'weight', 'at', 'active', 'rev'];

// An undo whose interaction came in an earlier batch: the row is there (one stream, applied in
// order) unless it was a self-interaction, which has no row and needs none.
const DEACTIVATE = `update affinity_sources s set active = false, rev = r.rev
from json_to_recordset($1::json) as r(source_id text, rev int)
where s.source_id = r.source_id and s.rev < r.rev`;

/**
 * Writes a batch's affinity changes, after the register fold's writes of the same transaction
 * (the users rows' states). Partitioned instances apply a viewer's interactions and their erasure
 * in different transactions at once, so each batch first takes a transaction-scoped advisory lock
 * per account it names (in id order, so that no two batches wait on each other in a cycle):
 * exclusive for an account it erases, shared for the others. An erasure thus waits for every batch
 * still writing rows that name the account, and its delete then sees them; a batch that comes
 * after an erasure has committed sees the account erased (read after its lock) and writes nothing
 * of theirs. (A row lock on the users row cannot do this: the row may not exist yet, and a read
 * filtered on the erased state locks nothing while the account is not erased.)
 */
const ACCOUNT_LOCKS = `select case when e.erased then pg_advisory_xact_lock(hashtextextended('affinity-account:' || e.id, 0))
  else pg_advisory_xact_lock_shared(hashtextextended('affinity-account:' || e.id, 0)) end
  from unnest($1::text[], $2::boolean[]) as e(id, erased) order by e.id`;

/**
 * `alone`: the batch's writer is the only one (a generation being built, before finishBuild), so
 * it takes no account locks: a rebuild's batch of 10,000 events names tens of thousands of
 * accounts, more advisory locks than the server's lock table holds (out of shared memory, at
 * 1,000,000 events), and there is no other instance to wait for.
 */
export const writeAffinity = async (db: pg.ClientBase, { sources, erased }: AffinityChanges, { alone = false } = {}): Promise<void> => {
  const changes = [...sources.values()];
  const named = [...new Set(changes.flatMap((change) => (change.interaction ? [change.interaction.viewerId, change.interaction.authorId] : [])))].sort();
  const locked = alone ? [] : [...new Set([...named, ...erased])].sort();
  if (locked.length > 0) await db.query(ACCOUNT_LOCKS, [locked, locked.map((id) => erased.has(id))]);
  if (named.length > 0) {
    const { rows } = await db.query<{ id: string }>(`select id from users where id = any($1::uuid[]) and state = 'erased'`, [named]);
    for (const row of rows) erased.add(row.id);
  }
  const kept = changes.filter(({ interaction }) => !interaction || (!erased.has(interaction.viewerId) && !erased.has(interaction.authorId)));
  // Alone, a row whose stream starts in this batch is new: appended with COPY (copy-rows.ts), when
  // its time needs no truncation (the upsert stores it at millisecond precision).
  const appended: Record<string, unknown>[] = [];
  const upserted: Record<string, unknown>[] = [];
  for (const { sourceId, rev, active, interaction, fromStreamStart } of kept) {
    if (!interaction) continue;
    const row = { source_id: sourceId, viewer_id: interaction.viewerId, author_id: interaction.authorId, weight: interaction.weight, at: interaction.at, active, rev };
    (alone && fromStreamStart && MILLISECOND_TIME.test(interaction.at) ? appended : upserted).push(row);
  }
  await copyRows(db, 'affinity_sources', AFFINITY_COLUMNS, appended.sort(byFields('source_id')));
  await upsertRows(db, UPSERT, upserted);
  await upsertRows(db, DEACTIVATE, kept.flatMap(({ sourceId, rev, interaction }) => (interaction ? [] : [{ source_id: sourceId, rev }])));
  if (erased.size > 0) {
    await db.query('delete from affinity_sources where viewer_id = any($1::uuid[]) or author_id = any($1::uuid[])', [[...erased]]);
  }
};

/**
 * The viewer's affinity with each of `authorIds` at `now` (ranking.ts's decay, summed in SQL over
 * the active rows within the horizon), in one query through `affinity_by_viewer`. Authors with none are absent.
 */
export const affinityOf = async (db: pg.Pool, viewerId: string, authorIds: readonly string[], now: Date): Promise<Map<string, number>> => {
  const authors = [...new Set(authorIds.filter(isUuid).map((id) => id.toLowerCase()))];
  if (authors.length === 0 || !isUuid(viewerId)) return new Map();
  const { rows } = await db.query<{ author_id: string; affinity: number }>({
    name: 'profiles-affinity',
    text: `select author_id, ${affinitySumSql('$3::timestamptz')}::float8 as affinity from affinity_sources
     where viewer_id = $1::uuid and author_id = any($2::uuid[]) and active and ${affinityHorizonSql('$3::timestamptz')}
     group by author_id`,
    values: [viewerId, authors, now.toISOString()],
  });
  return new Map(rows.map((row) => [row.author_id, Number(row.affinity)]));
};
