// Search benchmark (issue 4): for the Elasticsearch and the PostgreSQL search stores,
// - the indexing rate, in events/s, of a rebuild from 100,000 generated events (users, posts,
//   likes, comments, edits, deletions) applied through the search projection in batches of 500,
//   as the projector runs them;
// - p50 and p99 latency of autocomplete (users by prefix, with 50 followed accounts), user search
//   with a typo, hashtag suggestions, and a hashtag's top posts, over 10,000 users and 100,000
//   posts (the rebuild's posts, topped up, untimed, to 100,000).
// - the bytes per document of each Elasticsearch index at the end (docs/capacity.md sizes shards by it).
// Next to same-run baselines: the same events written as plain documents or rows (a bulk into a
// bare index, an INSERT of jsonb rows), and a bare round trip to each server.
//   npx tsx bench/search.ts    (ELASTICSEARCH_URL, else http://127.0.0.1:9200; DATABASE_URL, else the local test database)
// Works under a scratch index prefix and in a scratch schema, both removed at the end.
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import pg from 'pg';
import type { DomainEvent, Position, RecordedEvent } from '../events/index.js';
import { dropSearchIndexes, searchIndexes } from '../projections/search/elasticsearch/indexes.js';
import { createSearchProjection } from '../projections/search/search-projection.js';
import { createElasticsearchSearchStore } from '../projections/search/elasticsearch/store.js';
import { createPostgresSearchStore } from '../projections/search/postgres/store.js';
import type { SearchStore } from '../projections/search/search-store.js';
import { createScratchSchema } from './support/scratch-schema.js';
import { seededRandom } from '../scripts/seeded-random.js';
import { printFigures } from './support/report.js';

const ELASTICSEARCH_URL = process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';
const EVENTS = 100_000;
const USERS = 10_000;
const POSTS = 100_000;
const BATCH = 500;
const QUERIES = 400;
const WARM_UP = 40;

// ---- a deterministic generated log -------------------------------------------------------------

const { random, pick } = seededRandom(0x5eed);
/** Skewed towards the first items (rank^-1.1 roughly), as tags and popular posts are. */
const pickSkewed = <T>(items: readonly T[]): T => items[Math.min(items.length - 1, Math.floor(items.length * random() ** 4))]!;

const FIRST = ['maria', 'jon', 'ana', 'li', 'omar', 'sofia', 'lucas', 'emma', 'noah', 'mia', 'leo', 'zoe', 'ivan', 'nora', 'kai', 'sara', 'tom', 'eva', 'raj', 'yuki'];
const LAST = ['smith', 'garcia', 'chen', 'khan', 'muller', 'rossi', 'silva', 'kim', 'novak', 'dubois', 'tanaka', 'jensen', 'ali', 'lopez', 'berg', 'moreau'];
const WORDS = ['sunset', 'coffee', 'morning', 'beach', 'city', 'friends', 'weekend', 'travel', 'food', 'mountain', 'river', 'night', 'music', 'book', 'garden', 'rain'];
const SYLLABLES = ['ka', 'lo', 'mi', 'ra', 'tu', 'be', 'so', 'ne', 'fi', 'da', 'gu', 'pe', 'zi', 'vo', 'ha', 'ju'];
const TAGS = Array.from({ length: 2_000 }, (_, i) => (i < WORDS.length ? WORDS[i]! : `${pick(SYLLABLES)}${pick(SYLLABLES)}${pick(SYLLABLES)}${i % 7 === 0 ? 'life' : ''}`));

const NOW = Date.parse('2025-06-01T12:00:00.000Z');
let position = 0;
const revisions = new Map<string, number>();

const record = (event: DomainEvent, streamId: string): RecordedEvent => {
  const revision = revisions.get(streamId) ?? 0;
  revisions.set(streamId, revision + 1);
  const at = new Date(NOW).toISOString();
  return {
    ...event,
    eventId: randomUUID(),
    schemaVersion: event.type === 'PostCreated' ? 2 : 1,
    metadata: { correlationId: randomUUID(), causationId: null, actorId: null, occurredAt: at },
    streamId,
    streamRevision: revision,
    position: `${'1'.padStart(16, '0')}:${(++position).toString(16).padStart(16, '0')}` as Position,
    recordedAt: at,
  };
};

interface World {
  users: { id: string; username: string }[];
  posts: { id: string; authorId: string }[];
  likes: { postId: string; userId: string }[];
  comments: { id: string; postId: string }[];
}

const registerUser = (world: World, usernames: Set<string>): RecordedEvent => {
  const first = pick(FIRST);
  const last = pick(LAST);
  let username = '';
  do username = `${first}${pick(['', '.', '_'])}${random() < 0.5 ? last : pick(SYLLABLES) + pick(SYLLABLES)}${Math.floor(random() * 1000)}`;
  while (usernames.has(username));
  usernames.add(username);
  const id = randomUUID();
  world.users.push({ id, username });
  const displayName = `${first[0]!.toUpperCase()}${first.slice(1)} ${last[0]!.toUpperCase()}${last.slice(1)}`;
  return record({ type: 'UserRegistered', data: { userId: id, username, displayName, registeredAt: new Date(NOW).toISOString() } }, `user-${id}`);
};

const caption = () => {
  const tags = [...new Set(Array.from({ length: Math.floor(random() * 4) }, () => pickSkewed(TAGS)))];
  return { caption: `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${tags.map((t) => `#${t}`).join(' ')}`.trim(), hashtags: tags, mentions: [] };
};

const createPost = (world: World): RecordedEvent => {
  const id = randomUUID();
  const authorId = pick(world.users).id;
  world.posts.push({ id, authorId });
  // Spread over the last 30 days, so that explore's 7-day window holds about a quarter.
  const createdAt = new Date(NOW - Math.floor(random() * 30 * 24 * 3_600_000)).toISOString();
  return record({ type: 'PostCreated', data: { postId: id, authorId, ...caption(), media: [{ url: 'media/a.jpg', type: 'image' }], createdAt } }, `post-${id}`);
};

/** One event of engagement or editing on what exists so far. */
const engage = (world: World): RecordedEvent => {
  const roll = random();
  // Mostly recent posts, the newest most of all.
  const recent = Math.min(5_000, world.posts.length);
  const post = world.posts[world.posts.length - 1 - Math.floor(recent * random() ** 4)]!;
  const at = new Date(NOW).toISOString();
  if (roll < 0.66) {
    const userId = pick(world.users).id;
    world.likes.push({ postId: post.id, userId });
    return record({ type: 'Liked', data: { postId: post.id, userId, postAuthorId: post.authorId, likedAt: at } }, `like-${post.id}-${userId}`);
  }
  if (roll < 0.86) {
    const id = randomUUID();
    world.comments.push({ id, postId: post.id });
    const data = { commentId: id, postId: post.id, authorId: pick(world.users).id, postAuthorId: post.authorId, parentCommentId: null, text: 'nice', mentions: [], createdAt: at };
    return record({ type: 'CommentAdded', data }, `comment-${id}`);
  }
  if (roll < 0.91 && world.likes.length > 0) {
    const like = world.likes.splice(Math.floor(random() * world.likes.length), 1)[0]!;
    return record({ type: 'Unliked', data: like }, `like-${like.postId}-${like.userId}`);
  }
  if (roll < 0.94 && world.comments.length > 0) {
    const comment = world.comments.splice(Math.floor(random() * world.comments.length), 1)[0]!;
    return record({ type: 'CommentDeleted', data: { commentId: comment.id, postId: comment.postId, deletedBy: post.authorId, deletedAt: at } }, `comment-${comment.id}`);
  }
  if (roll < 0.97) return record({ type: 'CaptionEdited', data: { postId: post.id, authorId: post.authorId, ...caption(), editedAt: at } }, `post-${post.id}`);
  if (roll < 0.98) {
    const user = pick(world.users);
    return record({ type: 'ProfileUpdated', data: { userId: user.id, displayName: `${pick(FIRST)} ${pick(LAST)}` } }, `user-${user.id}`);
  }
  // Deletions last in a post's stream: a deleted post is not engaged with again (the write side refuses).
  const index = Math.floor(random() * world.posts.length);
  const [deleted] = world.posts.splice(index, 1);
  return record({ type: 'PostDeleted', data: { postId: deleted!.id, authorId: deleted!.authorId, deletedAt: at } }, `post-${deleted!.id}`);
};

/** The rebuild's log (users first, then posts with engagement interleaved) and the top-up posts. */
const generate = () => {
  const world: World = { users: [], posts: [], likes: [], comments: [] };
  const usernames = new Set<string>();
  const log: RecordedEvent[] = Array.from({ length: USERS }, () => registerUser(world, usernames));
  const postsInLog = 60_000;
  while (log.length < EVENTS) {
    const postsLeft = postsInLog - world.posts.length;
    const eventsLeft = EVENTS - log.length;
    log.push(world.posts.length < 100 || random() < postsLeft / eventsLeft ? createPost(world) : engage(world));
  }
  const topUp: RecordedEvent[] = [];
  let created = log.filter((e) => e.type === 'PostCreated').length;
  for (; created < POSTS; created++) topUp.push(createPost(world));
  return { log, topUp, world, tags: TAGS };
};

// ---- measuring ---------------------------------------------------------------------------------

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

const latency = async (run: (i: number) => Promise<unknown>) => {
  for (let i = 0; i < WARM_UP; i++) await run(i);
  const times: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const started = performance.now();
    await run(i + WARM_UP);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
};

/** Applies the events through the projection in runner-sized batches; returns events/s. */
const rebuild = async (store: SearchStore, events: readonly RecordedEvent[], key: string) => {
  const projection = createSearchProjection(store);
  const started = performance.now();
  for (let i = 0; i < events.length; i += BATCH) {
    const batch = events.slice(i, i + BATCH);
    await projection.apply({ events: batch, position: batch.at(-1)!.position, replay: true }, key);
  }
  return events.length / ((performance.now() - started) / 1000);
};

const withTypo = (text: string, i: number) => {
  const at = 1 + (i % (text.length - 1));
  return `${text.slice(0, at)}${text[at + 1] ?? ''}${text[at]}${text.slice(at + 2)}`;
};

const queries = (store: SearchStore, data: ReturnType<typeof generate>) => {
  const followingIds = data.world.users.slice(0, 50).map((u) => u.id);
  const user = (i: number) => data.world.users[(i * 7919) % data.world.users.length]!;
  const tag = (i: number) => data.tags[(i * 31) % 200]!;
  return {
    'autocomplete (users by prefix)': (i: number) =>
      store.searchUsers({ text: user(i).username.slice(0, 2 + (i % 4)), prefix: true, followingIds, limit: 10 }),
    'user search with a typo': (i: number) => store.searchUsers({ text: withTypo(user(i).username, i), prefix: false, followingIds, limit: 10 }),
    'hashtag suggestions (prefix)': (i: number) => store.suggestHashtags(tag(i).slice(0, 2 + (i % 3)), 10),
    "hashtag's top posts (page of 20)": (i: number) => store.postsByHashtag(tag(i), 'top', { limit: 20 }),
    'explore (first page of 20)': (i: number) => store.explore(new Date(NOW + (i % 24) * 3_600_000), { limit: 20 }),
  };
};

// ---- baselines ---------------------------------------------------------------------------------

const bulkBaseline = async (client: Client, index: string, events: readonly RecordedEvent[]) => {
  await client.indices.create({ index, settings: { number_of_shards: 1, auto_expand_replicas: '0-1' } });
  const started = performance.now();
  for (let i = 0; i < events.length; i += BATCH) {
    const operations = events.slice(i, i + BATCH).flatMap((e) => [{ index: { _index: index, _id: e.eventId } }, { type: e.type, streamId: e.streamId, data: JSON.stringify(e.data) }]);
    await client.bulk({ operations, refresh: true });
  }
  return events.length / ((performance.now() - started) / 1000);
};

const insertBaseline = async (pool: pg.Pool, events: readonly RecordedEvent[]) => {
  await pool.query('create table bench_events (id uuid primary key, type text, stream_id text, data jsonb)');
  const started = performance.now();
  for (let i = 0; i < events.length; i += BATCH) {
    const rows = events.slice(i, i + BATCH).map((e) => ({ id: e.eventId, type: e.type, stream_id: e.streamId, data: e.data }));
    await pool.query(
      `insert into bench_events select * from jsonb_to_recordset($1::jsonb) as t(id uuid, type text, stream_id text, data jsonb)`,
      [JSON.stringify(rows)],
    );
  }
  return events.length / ((performance.now() - started) / 1000);
};

// ---- the run -----------------------------------------------------------------------------------

const main = async () => {
  const started = performance.now();
  const data = generate();
  const scratch = await createScratchSchema('bench_search');
  const pool = new pg.Pool({ connectionString: scratch.url, max: 10 });
  const client = new Client({ node: ELASTICSEARCH_URL });
  const prefix = `bench-${randomBytes(4).toString('hex')}-`;
  const baselineIndex = `${prefix}baseline`;
  const rates: Record<string, string>[] = [];
  const latencies: Record<string, string>[] = [];
  const figures: { store: string; rebuildPerSecond: number; baselinePerSecond: number; queries: { query: string; p50Ms: number; p99Ms: number }[]; bareRoundTrip: { p50Ms: number; p99Ms: number } }[] = [];
  try {
    const stores: [string, SearchStore, () => Promise<unknown>][] = [
      ['Elasticsearch', createElasticsearchSearchStore(client, pool, { prefix }), () => client.search({ index: searchIndexes(prefix).posts.alias, size: 0 })],
      ['PostgreSQL', createPostgresSearchStore(pool, { tablePrefix: 'bench_search_' }), () => pool.query('select 1')],
    ];
    for (const [name, store, roundTrip] of stores) {
      await store.setup();
      const rate = await rebuild(store, data.log, `bench-${name}`);
      const baseline = name === 'Elasticsearch' ? await bulkBaseline(client, baselineIndex, data.log) : await insertBaseline(pool, data.log);
      rates.push({
        store: name,
        'rebuild events/s': rate.toFixed(0),
        baseline: name === 'Elasticsearch' ? 'bulk of plain docs' : 'INSERT of jsonb rows',
        'baseline events/s': baseline.toFixed(0),
      });
      await rebuild(store, data.topUp, `bench-${name}-top-up`);
      const bare = await latency(roundTrip);
      const measured = { store: name, rebuildPerSecond: Math.round(rate), baselinePerSecond: Math.round(baseline), queries: [] as { query: string; p50Ms: number; p99Ms: number }[], bareRoundTrip: { p50Ms: bare.p50, p99Ms: bare.p99 } };
      figures.push(measured);
      for (const [query, run] of Object.entries(queries(store, data))) {
        const { p50, p99 } = await latency(run);
        measured.queries.push({ query, p50Ms: p50, p99Ms: p99 });
        latencies.push({ store: name, query, 'p50 ms': p50.toFixed(2), 'p99 ms': p99.toFixed(2), 'bare round trip p50 / p99 ms': `${bare.p50.toFixed(2)} / ${bare.p99.toFixed(2)}` });
      }
    }
    // Bytes per document of each Elasticsearch index (primaries, merged to one segment so the
    // figure is the data's, not the pending merges'), for docs/capacity.md's shard sizing.
    // Measured last, so that the merge cannot change the query latencies above.
    const indexSizes: { index: string; documents: number; bytes: number; bytesPerDocument: number }[] = [];
    for (const [kind, { alias }] of Object.entries(searchIndexes(prefix))) {
      await client.indices.forcemerge({ index: alias, max_num_segments: 1 });
      await client.indices.refresh({ index: alias });
      const stats = await client.indices.stats({ index: alias, metric: ['docs', 'store'] });
      const documents = stats._all.primaries?.docs?.count ?? 0;
      const bytes = stats._all.primaries?.store?.size_in_bytes ?? 0;
      indexSizes.push({ index: kind, documents, bytes, bytesPerDocument: documents ? Math.round(bytes / documents) : 0 });
    }
    const posts = data.log.filter((e) => e.type === 'PostCreated').length + data.topUp.length;
    console.log(`Search: rebuild from ${data.log.length.toLocaleString('en')} events (batches of ${BATCH}), then queries over ${USERS.toLocaleString('en')} users and ${posts.toLocaleString('en')} posts`);
    console.log(`(${QUERIES} queries each after ${WARM_UP} to warm up, one at a time)\n`);
    console.table(rates);
    console.table(latencies);
    console.log('Elasticsearch index sizes (primaries, one segment):');
    console.table(indexSizes);
    console.log(`total run time ${((performance.now() - started) / 1000).toFixed(1)} s`);
    printFigures('search', { events: data.log.length, batch: BATCH, stores: figures, elasticsearchIndexSizes: indexSizes });
  } finally {
    await dropSearchIndexes(client, searchIndexes(prefix));
    await client.indices.delete({ index: baselineIndex, ignore_unavailable: true });
    await client.close();
    await pool.end();
    await scratch.drop();
  }
};

await main();
