// What a like costs on a long history, next to the same on a fresh one (issue 13 part 2, review
// F2): like/unlike through the command handler (commands/posts/reactions.ts, no HTTP, so that
// only the command's own work is measured) on a post edited HISTORY times whose author switched
// privacy HISTORY times, and on a fresh post by a fresh author, in the same run. Then the same
// with the store's snapshots off, to show what snapshots save.
//   npm run bench:command-cost    (DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test)
//   COMMAND_COST_HISTORY (default 5000), COMMAND_COST_DURATION_MS per scenario and round (default 1000),
//   COMMAND_COST_WORKERS (default 4: each its own fan, liking and unliking in a loop)
// Works in a scratch schema, dropped at the end. Scenarios take turns over a few rounds so that a
// change in machine load weighs on all of them alike.
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { CommandDeps } from '../commands/deps.js';
import { like, unlike } from '../commands/posts/reactions.js';
import { toNewEvents, type CommandContext } from '../commands/command-context.js';
import { streams, type DomainEvent, type EventStore } from '../events/index.js';
import { createPostgresEventStore } from '../events/postgres/index.js';
import { FOLLOWING_MAX } from '../kernel/limits.js';
import { PARAMS } from '../commands/accounts/password.js';
import { printFigures } from './support/report.js';
import { createScratchSchema } from './support/scratch-schema.js';

const HISTORY = Number(process.env.COMMAND_COST_HISTORY ?? 5000);
const DURATION_MS = Number(process.env.COMMAND_COST_DURATION_MS ?? 1000);
const WORKERS = Number(process.env.COMMAND_COST_WORKERS ?? 4);
const ROUNDS = 3;
const BATCH = 500;
const at = new Date().toISOString();

const ctx = (): CommandContext => ({ actorId: null, correlationId: uuidv7(), now: new Date().toISOString() });

/** Appends `count` events made by `make`, BATCH at a time. */
const appendMany = async (store: EventStore, streamId: string, count: number, make: (i: number) => DomainEvent) => {
  for (let from = 0; from < count; from += BATCH) {
    const events = Array.from({ length: Math.min(BATCH, count - from) }, (_, i) => make(from + i));
    await store.append(streamId, toNewEvents(events, ctx()), 'any');
  }
};

/** A registered user (commands refuse a caller with no registered account): their id. */
const registerUser = async (store: EventStore) => {
  const userId = uuidv7();
  const username = `a${userId.slice(-12)}`;
  await appendMany(store, streams.user(userId), 1, () => ({ type: 'UserRegistered', data: { userId, username, displayName: username, registeredAt: at } }));
  return userId;
};

/** An author and a post, with `edits` caption edits and `switches` privacy switches after them. */
const seedPost = async (store: EventStore, edits: number, switches: number) => {
  const authorId = await registerUser(store);
  const postId = uuidv7();
  // Ends public, so that every like is allowed.
  await appendMany(store, streams.user(authorId), switches, (i) => ({ type: 'PrivacyChanged', data: { userId: authorId, private: i % 2 === 0 && i !== switches - 1 } }));
  const caption = (i: number) => `sunset at the beach, take ${i} #beach #sunset`;
  await appendMany(store, streams.post(postId), 1, () => ({
    type: 'PostCreated',
    data: { postId, authorId, caption: caption(0), hashtags: ['beach', 'sunset'], mentions: [], media: [{ url: `media/${postId}.jpg`, type: 'image' }], createdAt: at },
  }));
  await appendMany(store, streams.post(postId), edits, (i) => ({
    type: 'CaptionEdited',
    data: { postId, authorId, caption: caption(i + 1), hashtags: ['beach', 'sunset'], mentions: [], editedAt: at },
  }));
  return postId;
};

/** The store, counting the events its reads return. */
const countingReads = (inner: EventStore) => {
  const counter = { events: 0 };
  const store: EventStore = {
    ...inner,
    readStream: async (streamId, from) => {
      const events = await inner.readStream(streamId, from);
      counter.events += events.length;
      return events;
    },
    ...(inner.snapshots && {
      snapshots: {
        ...inner.snapshots,
        readFromSnapshot: async (streamId, key) => {
          const read = await inner.snapshots!.readFromSnapshot(streamId, key);
          counter.events += read.events.length;
          return read;
        },
      },
    }),
  };
  return { store, counter };
};

const depsOf = (store: EventStore): CommandDeps => {
  const unused = new Proxy({}, { get: () => { throw new Error('not used by likes'); } });
  return { store, credentials: unused as never, tokens: unused as never, sessions: unused as never, twoFactor: unused as never, accountLinks: unused as never, passwordParams: PARAMS, storage: unused as never, storyTtlMs: 86_400_000, accountDeletionGraceMs: 30 * 86_400_000, mediaExternalHosts: [], followingCount: async () => 0, followingMax: FOLLOWING_MAX, collectionCount: async () => 0, hashtagFollowCount: async () => 0 };
};

interface Scenario {
  name: string;
  postId: string;
  store: ReturnType<typeof countingReads>;
  snapshots: boolean;
  history: number;
}

/** Like then unlike, by WORKERS fans each on their own like stream, until the time is up: commands done and events read. */
const measure = async ({ postId, store }: Scenario) => {
  const deps = depsOf(store.store);
  const readBefore = store.counter.events;
  let commands = 0;
  const started = performance.now();
  const deadline = started + DURATION_MS;
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      const userId = await registerUser(store.store);
      while (performance.now() < deadline) {
        await like(deps, { userId, postId }, ctx());
        await unlike(deps, { userId, postId }, ctx());
        commands += 2;
      }
    }),
  );
  return { commands, seconds: (performance.now() - started) / 1000, eventsRead: store.counter.events - readBefore };
};

const main = async () => {
  const scratch = await createScratchSchema('bench_command_cost');
  const pool = new pg.Pool({ connectionString: scratch.url, max: WORKERS + 2 });
  try {
    const withSnapshots = await createPostgresEventStore(pool, { notify: false });
    const withoutSnapshots = await createPostgresEventStore(pool, { notify: false, snapshots: false });
    console.log(`seeding a post with ${HISTORY} caption edits by an author with ${HISTORY} privacy switches, and fresh ones...`);
    const long = await seedPost(withSnapshots, HISTORY, HISTORY);
    const fresh = await seedPost(withSnapshots, 0, 0);
    const [snap, plain] = [countingReads(withSnapshots), countingReads(withoutSnapshots)];
    const scenarios: Scenario[] = [
      { name: 'fresh post and author', postId: fresh, store: snap, snapshots: true, history: 0 },
      { name: `${HISTORY} edits, ${HISTORY} privacy switches`, postId: long, store: snap, snapshots: true, history: HISTORY },
      { name: 'fresh post and author, snapshots off', postId: fresh, store: plain, snapshots: false, history: 0 },
      { name: `${HISTORY} edits, ${HISTORY} privacy switches, snapshots off`, postId: long, store: plain, snapshots: false, history: HISTORY },
    ];
    // Warm-up: plans every statement, and lets the long streams' first reads write their snapshots.
    for (const scenario of scenarios) await like(depsOf(scenario.store.store), { userId: await registerUser(withSnapshots), postId: scenario.postId }, ctx());
    const totals = scenarios.map(() => ({ commands: 0, seconds: 0, eventsRead: 0 }));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, scenario] of scenarios.entries()) {
        const result = await measure(scenario);
        totals[i]!.commands += result.commands;
        totals[i]!.seconds += result.seconds;
        totals[i]!.eventsRead += result.eventsRead;
      }
    }
    await withSnapshots.close();
    await withoutSnapshots.close();

    const rate = (i: number) => totals[i]!.commands / totals[i]!.seconds;
    const readPerCommand = (i: number) => totals[i]!.eventsRead / Math.max(1, totals[i]!.commands);
    console.log(`\nlike/unlike through the command handler, ${WORKERS} fans at a time (${ROUNDS} rounds of ${DURATION_MS} ms per scenario)\n`);
    console.table(
      scenarios.map(({ name }, i) => ({
        scenario: name,
        commands: totals[i]!.commands,
        'commands/s': Math.round(rate(i)),
        'events read per command': readPerCommand(i).toFixed(1),
        'vs fresh': i % 2 === 1 ? `${((rate(i) / rate(i - 1)) * 100).toFixed(0)}%` : '',
      })),
    );
    printFigures('command-cost', {
      via: 'commands/posts/reactions.ts like + unlike (no HTTP)',
      history: HISTORY,
      workers: WORKERS,
      roundsOf: { rounds: ROUNDS, milliseconds: DURATION_MS },
      perSecondLong: Math.round(rate(1)),
      perSecondFresh: Math.round(rate(0)),
      ratio: Number((rate(1) / rate(0)).toFixed(3)),
      eventsReadPerCommand: { long: Number(readPerCommand(1).toFixed(1)), fresh: Number(readPerCommand(0).toFixed(1)) },
      withoutSnapshots: {
        perSecondLong: Math.round(rate(3)),
        perSecondFresh: Math.round(rate(2)),
        ratio: Number((rate(3) / rate(2)).toFixed(3)),
        eventsReadPerCommand: { long: Number(readPerCommand(3).toFixed(1)), fresh: Number(readPerCommand(2).toFixed(1)) },
      },
    });
  } finally {
    await pool.end();
    await scratch.drop();
  }
};

await main();
