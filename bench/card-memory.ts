import pg from 'pg';
import { loadSettings } from '../app/config.js';
import { createReadModelCatalog } from '../app/read-models.js';
import { createPostgresEventStore } from '../events/postgres/index.js';
import { createPostgresCardBus } from '../projections/profiles/card-bus-postgres.js';
import type { ProfilesReader } from '../projections/profiles/profiles-reader.js';
import { catchUp } from '../projections/runtime/catch-up.js';
import { createCardCache } from '../read-api/card-cache.js';
import { createMediaPresenter } from '../read-api/media-presenter.js';
import { createLocalStorage } from '../media/storage/local/local-storage.js';
import { generateLog } from './support/generate-log.js';
import { printFigures } from './support/report.js';
import { createScratchSchema } from './support/scratch-schema.js';

// Bytes per cached post card in an API process's card cache (read-api/card-cache.ts, issue 15
// part 6): the profiles read model built from a generated log (bench/support/generate-log.ts:
// captions with hashtags and mentions, one to three photos per post), then every post loaded
// into the cache through visiblePosts, 20 at a time as home pages load them (each page's authors
// with it), and the process's heap plus its buffers (a card keeps its JSON as a string and as
// bytes) measured after a full collection, before and after. The baseline is the bytes of the
// cards' JSON as the API sends them, what any cache of the serialized card must hold. Needs
// `node --expose-gc` (npm run bench:cards passes it). CARD_BENCH_EVENTS (default 100,000: about
// 16,000 posts by 2,000 authors).
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:cards)');
const total = Number(process.env.CARD_BENCH_EVENTS ?? 100_000);

const scratch = await createScratchSchema('bench_cards');
const pool = new pg.Pool({ connectionString: scratch.url, max: 4 });
try {
  const store = await createPostgresEventStore(pool);
  await generateLog(pool, total);
  const { feed, notifications } = loadSettings({}, []);
  const catalog = createReadModelCatalog({ pool, redis: null, elasticsearch: null, prefixes: { redis: `${scratch.schema}:`, elasticsearch: `${scratch.schema}-` }, feed, notifications });
  const profiles = await catalog.open('profiles', 1, 'live');
  await profiles.projection.setup();
  await catchUp(store, [{ projection: profiles.projection, checkpointKey: 'profiles' }], { batchSize: 10_000, replay: true });
  const reader = profiles.reader as ProfilesReader;
  const { rows } = await pool.query<{ id: string; author_id: string }>('select id, author_id from posts order by created_at');
  const viewerId = rows[0]!.author_id;
  const bus = createPostgresCardBus(pool);
  const media = createMediaPresenter(createLocalStorage({ root: '/tmp/bench-cards-media', publicUrl: 'http://127.0.0.1:3000', secret: 'bench-cards-secret-at-least-32-chars' }));
  const cache = createCardCache({ profiles: () => reader, media, bus, size: rows.length + 1_000 });
  for (let i = 0; i < 200 && !cache.live; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!cache.live) throw new Error('the card bus did not subscribe');

  const used = () => {
    gc();
    gc();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
  const before = used();
  let jsonBytes = 0;
  let cards = 0;
  for (let i = 0; i < rows.length; i += 20) {
    const page = rows.slice(i, i + 20).map((row) => row.id);
    const shown = await cache.visiblePosts(page, viewerId);
    for (const card of shown) jsonBytes += Buffer.byteLength(card.json);
    cards += shown.length;
  }
  const after = used();
  // Read again: every card is a hit now (the steady state), and nothing more is kept.
  const hits = (await cache.visiblePosts(rows.slice(0, 20).map((row) => row.id), viewerId)).length;
  const bytesPerCard = Math.round((after - before) / cards);
  const jsonBytesPerCard = Math.round(jsonBytes / cards);
  const authors = new Set(rows.map((row) => row.author_id)).size;
  console.log(`${cards.toLocaleString('en-US')} post cards (${authors.toLocaleString('en-US')} authors' cards with them) cached: ${bytesPerCard} bytes per post card, all in (its JSON ${jsonBytesPerCard} bytes as sent; ${(bytesPerCard / jsonBytesPerCard).toFixed(2)}x), ${Math.round((after - before) / 2 ** 20)} MB in all; a page read again: ${hits} hits`);
  printFigures('card-memory', { cards, authors, bytesPerCard, baselineJsonBytesPerCard: jsonBytesPerCard, ratio: Number((bytesPerCard / jsonBytesPerCard).toFixed(2)), totalMb: Math.round((after - before) / 2 ** 20) });
  cache.close();
  await bus.close();
  await catalog.close();
} finally {
  await pool.end();
  await scratch.drop();
}
