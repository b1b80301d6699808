import type { Client, estypes } from '@elastic/elasticsearch';
import type { RecordedEvent } from '../../../events/index.js';
import {
  applyPostEvents,
  applyUserEvents,
  emptyPost,
  emptyUser,
  NEW_AUTHOR,
  type AuthorFacts,
  foldSearchBatch,
  samePost,
  type FactWrite,
  type PostDoc,
  type PostEvent,
  type UserDoc,
  type UserEvent,
} from './docs.js';
import type { SearchIndexes } from './indexes.js';

// Writes one batch of the search read model to Elasticsearch. There are no scripts on this
// cluster (no painless), so nothing is incremented in place: every write puts a whole document,
// guarded so that it is idempotent and order-independent.
//
// 1. Facts (one document per like and per comment) are written whole with their stream's
//    revision as an EXTERNAL version: a re-applied or stale write is a version conflict, ignored.
// 2. Users likewise, after reading the stored document to merge a partial ProfileUpdated into it.
// 3. Posts hold their like and comment counts, which come from many streams (and so from several
//    partitioned instances at once): they are COUNTED from the fact documents, never incremented,
//    and the post is written back with optimistic concurrency (if_seq_no / if_primary_term),
//    retried on conflict. Each side writes its own fact first (facts in step 1, the post's content
//    in the conditional write itself), then reads the post's sequence number, THEN counts, then
//    writes conditionally. Whoever writes last counted after every fact whose writer had read
//    the sequence number before that write; any later writer fails its condition, re-reads and
//    re-counts. So the last successful write always holds the exact counts.
//    The post stream's own fields are guarded by `rev` (events at or below it were applied).
//
// Every bulk refreshes what it wrote: facts must be visible to the counting search, and users and
// posts to readers once the checkpoint (saved after this) says the batch is in. A generation being
// built has no readers (`refreshForReaders` false): there only the facts are refreshed, and the
// posts before an author's sweep searches them; every read by id (mget) is real-time anyway.

/** Conditional post writes lose only to a concurrent instance; a few retries always settle. */
const MAX_POST_ATTEMPTS = 20;

interface BulkItemResult {
  _id?: string | null;
  status: number;
  error?: { type?: string; reason?: string | null };
}

export interface SearchWriteOptions {
  /** Refresh every write for readers (live), or only what the batch's own searches need (a generation being built). */
  refreshForReaders: boolean;
}

/** An action line and its document. */
type BulkWrite = [action: estypes.BulkOperationContainer, doc: object];

/** Documents per bulk request: a few MB of these small documents, a size Elasticsearch takes in one go. */
const BULK_DOCUMENTS = 5_000;

/**
 * Runs the writes in bulk requests of BULK_DOCUMENTS, refreshed when `refresh` (one refresh after
 * the last when there are several); returns the ids that hit a version conflict, throws on any
 * other failure.
 */
const bulk = async (client: Client, writes: readonly BulkWrite[], refresh: boolean): Promise<string[]> => {
  const conflicts: string[] = [];
  const single = writes.length <= BULK_DOCUMENTS;
  for (let start = 0; start < writes.length; start += BULK_DOCUMENTS) {
    const response = await client.bulk({ operations: writes.slice(start, start + BULK_DOCUMENTS).flat(), refresh: refresh && single });
    for (const item of response.items) {
      const result = Object.values(item)[0] as BulkItemResult;
      if (!result.error) continue;
      if (result.status !== 409) throw new Error(`search index write failed (${result.status}): ${result.error.type}: ${result.error.reason}`);
      conflicts.push(result._id ?? '');
    }
  }
  if (refresh && !single) await client.indices.refresh({ index: [...new Set(writes.map(([action]) => (Object.values(action)[0] as { _index: string })._index))] });
  return conflicts;
};

const writeFacts = async (client: Client, indexes: SearchIndexes, facts: readonly FactWrite[]) => {
  // Always refreshed: the posts' counts are searched from them next.
  await bulk(
    client,
    facts.map((fact) => [{ index: { _index: indexes[fact.kind].alias, _id: fact.id, version: fact.version, version_type: 'external' } }, fact.doc]),
    true,
  );
};

const writeUsers = async (client: Client, indexes: SearchIndexes, users: Map<string, UserEvent[]>, options: SearchWriteOptions) => {
  if (users.size === 0) return;
  const { docs } = await client.mget<UserDoc>({ index: indexes.users.alias, ids: [...users.keys()] });
  const writes = docs.flatMap((stored): BulkWrite[] => {
    const events = users.get(stored._id)!;
    const found = 'found' in stored && stored.found;
    const version = found ? (stored._version ?? -1) : -1;
    const newer = events.filter((event) => event.rev > version);
    if (newer.length === 0) return [];
    const base = found && stored._source ? stored._source : emptyUser(stored._id);
    const doc = applyUserEvents(base, newer);
    return [[{ index: { _index: indexes.users.alias, _id: stored._id, version: newer.at(-1)!.rev, version_type: 'external' } }, doc]];
  });
  // A conflict means another instance already wrote this revision or a newer one.
  await bulk(client, writes, options.refreshForReaders);
};

interface Counts {
  likes: number;
  comments: number;
}

/** Active likes and comments per post, counted from the fact documents. */
const countFacts = async (client: Client, indexes: SearchIndexes, postIds: readonly string[]): Promise<Map<string, Counts>> => {
  const search = (index: string) => [
    { index },
    {
      size: 0,
      query: { bool: { filter: [{ terms: { postId: postIds } }, { term: { active: true } }] } },
      aggs: { perPost: { terms: { field: 'postId', size: postIds.length } } },
    },
  ];
  const { responses } = await client.msearch({ searches: [...search(indexes.likes.alias), ...search(indexes.comments.alias)] });
  const counts = new Map<string, Counts>(postIds.map((id) => [id, { likes: 0, comments: 0 }]));
  responses.forEach((response, i) => {
    if ('error' in response) throw new Error(`search count failed: ${response.error.type}: ${response.error.reason}`);
    const buckets = (response.aggregations?.perPost as { buckets: { key: string; doc_count: number }[] } | undefined)?.buckets ?? [];
    for (const bucket of buckets) counts.get(bucket.key)![i === 0 ? 'likes' : 'comments'] = bucket.doc_count;
  });
  return counts;
};

/**
 * Whether each of these authors is public and listed now, from their documents (one not indexed
 * yet is both: every account starts so).
 */
const authorsNow = async (
  client: Client,
  indexes: SearchIndexes,
  authorIds: readonly (string | null)[],
): Promise<(authorId: string | null) => AuthorFacts> => {
  const ids = [...new Set(authorIds.filter((id): id is string => id !== null))];
  const facts = new Map<string, AuthorFacts>();
  if (ids.length > 0) {
    const { docs } = await client.mget<UserDoc>({ index: indexes.users.alias, ids, _source_includes: ['private', 'state'] });
    for (const doc of docs) {
      if ('found' in doc && doc.found && doc._source) {
        facts.set(doc._id, { public: doc._source.private !== true, listed: (doc._source.state ?? 'active') === 'active' });
      }
    }
  }
  return (authorId) => (authorId === null ? NEW_AUTHOR : (facts.get(authorId) ?? NEW_AUTHOR));
};

const authorOf = (stored: PostDoc | undefined, events: readonly PostEvent[]): string | null =>
  stored?.authorId ?? events.find((event) => event.type === 'PostCreated')?.data.authorId ?? null;

/** One round of conditional post writes; returns the posts that lost a race and must be redone. */
const writePostsOnce = async (
  client: Client,
  indexes: SearchIndexes,
  postIds: string[],
  events: Map<string, PostEvent[]>,
  options: SearchWriteOptions,
): Promise<string[]> => {
  // The sequence numbers first, the counts after: see the top of the file for why the order matters.
  const { docs } = await client.mget<PostDoc>({ index: indexes.posts.alias, ids: postIds });
  const counts = await countFacts(client, indexes, postIds);
  const storedOf = (stored: (typeof docs)[number]) => ('found' in stored && stored.found ? stored._source : undefined);
  const author = await authorsNow(client, indexes, docs.map((stored) => authorOf(storedOf(stored), events.get(stored._id) ?? [])));
  const writes = docs.flatMap((stored): BulkWrite[] => {
    const found = 'found' in stored && stored.found && stored._source !== undefined;
    const base = found ? stored._source! : emptyPost(stored._id);
    const next = applyPostEvents(base, events.get(stored._id) ?? [], counts.get(stored._id)!, author);
    if (found && samePost(base, next)) return [];
    const action = found
      ? { index: { _index: indexes.posts.alias, _id: stored._id, if_seq_no: stored._seq_no, if_primary_term: stored._primary_term } }
      : { create: { _index: indexes.posts.alias, _id: stored._id } };
    return [[action, next]];
  });
  return bulk(client, writes, options.refreshForReaders);
};

const writePosts = async (
  client: Client,
  indexes: SearchIndexes,
  events: Map<string, PostEvent[]>,
  countedPosts: Set<string>,
  options: SearchWriteOptions,
) => {
  let pending = [...new Set([...events.keys(), ...countedPosts])];
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_POST_ATTEMPTS) throw new Error(`search: ${pending.length} post documents still conflict after ${MAX_POST_ATTEMPTS} attempts`);
    pending = await writePostsOnce(client, indexes, pending, events, options);
  }
};

/** Posts rewritten per round when an author's privacy or listing changes (their `public` and `hidden` flags follow). */
const AUTHOR_SWEEP_CHUNK = 500;

/**
 * Rewrites every post of these authors, so that their `public` and `hidden` flags follow the
 * author's privacy and listing.
 * Runs after the authors' documents are written, and reads the posts after that (the writes are
 * refreshed): a post another instance is creating at once either is found here, or reads the new
 * privacy itself after its own write (recheckNewPosts).
 */
const sweepAuthorsPosts = async (client: Client, indexes: SearchIndexes, authorIds: readonly string[], options: SearchWriteOptions) => {
  if (authorIds.length === 0) return;
  // Unless every write was, the posts written so far are made searchable for the sweep first.
  if (!options.refreshForReaders) await client.indices.refresh({ index: indexes.posts.alias });
  let after: estypes.SortResults | undefined;
  for (;;) {
    const response = await client.search({
      index: indexes.posts.alias,
      size: AUTHOR_SWEEP_CHUNK,
      query: { terms: { authorId: [...authorIds] } },
      sort: [{ id: 'asc' }],
      _source: false,
      track_total_hits: false,
      ...(after ? { search_after: after } : {}),
    });
    const ids = response.hits.hits.map((hit) => hit._id!);
    if (ids.length > 0) await writePosts(client, indexes, new Map(), new Set(ids), options);
    if (ids.length < AUTHOR_SWEEP_CHUNK) return;
    after = response.hits.hits.at(-1)!.sort;
  }
};

/**
 * The posts this batch created, read again after their write with their authors' documents: one
 * written with a privacy its author changed meanwhile (in this batch, or in another instance whose
 * sweep ran before the post was there to find) is written again.
 */
const recheckNewPosts = async (client: Client, indexes: SearchIndexes, events: Map<string, PostEvent[]>, options: SearchWriteOptions) => {
  const created = [...events].filter(([, list]) => list.some((event) => event.type === 'PostCreated')).map(([id]) => id);
  for (let attempt = 1; created.length > 0 && attempt <= MAX_POST_ATTEMPTS; attempt++) {
    const { docs } = await client.mget<PostDoc>({ index: indexes.posts.alias, ids: created, _source_includes: ['authorId', 'public', 'hidden'] });
    const written = docs.flatMap((doc) => ('found' in doc && doc.found && doc._source ? [{ ...doc._source, id: doc._id }] : []));
    const author = await authorsNow(client, indexes, written.map((doc) => doc.authorId));
    const stale = written
      .filter((doc) => doc.public !== author(doc.authorId).public || (doc.hidden ?? false) !== !author(doc.authorId).listed)
      .map((doc) => doc.id);
    if (stale.length === 0) return;
    await writePosts(client, indexes, new Map(), new Set(stale), options);
  }
};

/** The user events that change what an author's posts carry (privacy, listing). */
const AUTHOR_EVENTS = new Set<string>(['PrivacyChanged', 'AccountDeletionRequested', 'AccountRestored', 'AccountErased']);

export const writeSearchBatch = async (
  client: Client,
  indexes: SearchIndexes,
  events: readonly RecordedEvent[],
  options: SearchWriteOptions = { refreshForReaders: true },
): Promise<void> => {
  const batch = foldSearchBatch(events);
  // Users share nothing with posts and their facts but the posts' `public` and `hidden` flags: written
  // alongside, then the flag is settled both ways (the authors' posts, then the new posts).
  await Promise.all([
    writeUsers(client, indexes, batch.users, options),
    (async () => {
      await writeFacts(client, indexes, batch.facts);
      await writePosts(client, indexes, batch.posts, batch.countedPosts, options);
    })(),
  ]);
  const authorsMoved = [...batch.users].filter(([, list]) => list.some((event) => AUTHOR_EVENTS.has(event.type))).map(([id]) => id);
  await sweepAuthorsPosts(client, indexes, authorsMoved, options);
  await recheckNewPosts(client, indexes, batch.posts, options);
};
