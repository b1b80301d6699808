import fc from 'fast-check';
import type pg from 'pg';
import { expect } from 'vitest';
import { START, type RecordedEvent } from '../../events/index.js';
import { checkpointKeyOf, partitionOf, type Partition } from '../../projections/runtime/partition.js';
import type { Projection } from '../../projections/runtime/projection.js';
import type { OpenReadModel } from '../../projections/runtime/read-model.js';
import { compareDumps, type Difference } from '../../replay/compare-dumps.js';
import { isTransactionConflict } from '../../app/http/backend-errors.js';
import { toRecordedEvents, type HistoryEvent } from './history-arbitraries.js';

// Drives a projection over a list of recorded events without an event store, the way the
// runner would: from the projection's stored checkpoint, in batches, only the projection's types
// (and the partition's streams), each batch stored with the position of the last event it
// covered, filtered or not. Stateless: after a failure, calling it again resumes from the
// checkpoint, like a restarted projector.

export interface HarnessOptions {
  batchSize?: number;
  partition?: Partition;
  /** Defaults to the runner's key: the projection's name, plus the partition. */
  checkpointKey?: string;
  replay?: boolean;
}

export const applyEvents = async (projection: Projection, log: readonly RecordedEvent[], options: HarnessOptions = {}): Promise<void> => {
  const batchSize = options.batchSize ?? 500;
  const key = options.checkpointKey ?? checkpointKeyOf(projection.name, options.partition);
  const types = new Set<string>(projection.eventTypes);
  const checkpoint = await projection.checkpoint(key);
  const pending = checkpoint === START ? log : log.filter((event) => event.position > checkpoint);
  for (let start = 0; start < pending.length; start += batchSize) {
    const chunk = pending.slice(start, start + batchSize);
    const events = chunk.filter(
      (event) => types.has(event.type) && (!options.partition || partitionOf(event.streamId, options.partition.count) === options.partition.index),
    );
    // A batch aborted by a deadlock with another instance is applied again, as the runner retries
    // a failed batch (it never parks one for it: app/http/backend-errors.ts isTransactionConflict).
    for (let attempt = 1; ; attempt++) {
      try {
        await projection.apply({ events, position: chunk.at(-1)!.position, replay: options.replay ?? false }, key);
        break;
      } catch (error) {
        if (!isTransactionConflict(error) || attempt >= 10) throw error;
      }
    }
  }
};

/**
 * A crash mid-batch, then a restart: applies the log with `crashing` (a projection over a
 * poolFailingAt pool) until its injected failure, then with `resumed` from whatever checkpoint the
 * crash left. Small logs may need fewer queries than the failure waits for: then nothing crashes,
 * which must be fine too.
 */
export const crashThenResume = async (crashing: Projection, resumed: Projection, log: readonly RecordedEvent[], options: HarnessOptions = {}) => {
  await applyEvents(crashing, log, options).catch((error: unknown) => {
    if (!(error instanceof InjectedFailure)) throw error;
  });
  await applyEvents(resumed, log, options);
};

/** Instances of one projection applying the log concurrently, one partition each, at the batch sizes given (one a partition). */
export const applyInPartitions = async (projection: Projection, log: readonly RecordedEvent[], batchSizes: readonly number[]) => {
  await Promise.all(batchSizes.map((batchSize, index) => applyEvents(projection, log, { batchSize, partition: { index, count: batchSizes.length } })));
};

export class InjectedFailure extends Error {
  constructor(readonly queryNumber: number) {
    super(`injected failure at query ${queryNumber}`);
    this.name = 'InjectedFailure';
  }
}

/**
 * A pool whose `failAt`-th query (counted over the pool and its clients, rollbacks excepted)
 * throws before reaching the server: a crash in the middle of a batch's transaction.
 */
export const poolFailingAt = (pool: pg.Pool, failAt: number): pg.Pool => {
  let count = 0;
  const guard = (sql: unknown) => {
    const text = typeof sql === 'string' ? sql : ((sql as { text?: string } | undefined)?.text ?? '');
    if (/^\s*rollback/i.test(text)) return;
    count++;
    if (count === failAt) throw new InjectedFailure(count);
  };
  const wrapClient = (client: pg.PoolClient): pg.PoolClient =>
    new Proxy(client, {
      get(target, property, receiver) {
        if (property !== 'query') return Reflect.get(target, property, receiver);
        return (...args: unknown[]) => {
          guard(args[0]);
          return (target.query as (...a: unknown[]) => unknown)(...args);
        };
      },
    });
  return new Proxy(pool, {
    get(target, property, receiver) {
      if (property === 'connect') return async () => wrapClient(await target.connect());
      if (property === 'query') {
        return (...args: unknown[]) => {
          guard(args[0]);
          return (target.query as (...a: unknown[]) => unknown)(...args);
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
};

/** Opens a generation of one read model in `mode` (each call a new instance, as another process would). */
export type OpenGeneration = (mode: 'live' | 'build') => OpenReadModel<unknown>;

/**
 * A build interrupted after `batchesBefore` batches of `batchSize` events and resumed from its
 * checkpoint by another process (a new instance: nothing it knows of what the first wrote but
 * the tables), then finished, next to the read model fed live in small batches: their
 * differences (none, for a build that resumes right). `openLive` and `openBuilt` open generations
 * in two databases; both are dropped afterwards, whatever the outcome, so that a shrunk run
 * starts from empty tables.
 */
export const resumedBuildDifferences = async (
  openLive: OpenGeneration,
  openBuilt: OpenGeneration,
  log: readonly RecordedEvent[],
  { batchSize, batchesBefore }: { batchSize: number; batchesBefore: number },
): Promise<Difference[]> => {
  const live = openLive('live');
  const building = openBuilt('build');
  const resumed = openBuilt('build');
  try {
    await live.projection.setup();
    await applyEvents(live.projection, log, { batchSize: 3 });
    await building.projection.setup();
    await applyEvents(building.projection, log.slice(0, batchSize * batchesBefore), { batchSize, replay: true });
    await resumed.projection.setup();
    await applyEvents(resumed.projection, log, { batchSize, replay: true });
    await resumed.finishBuild!();
    return compareDumps(await live.dump(), await resumed.dump());
  } finally {
    await Promise.all([live.drop(), resumed.drop()]);
  }
};

/**
 * The property of a resumed build: for every history `histories` draws, batches of 1 to 10
 * events and 1 to 40 of them applied before the resume, the resumed build equals the live read
 * model (resumedBuildDifferences finds none).
 */
export const assertResumedBuildsEqual = (openLive: OpenGeneration, openBuilt: OpenGeneration, histories: fc.Arbitrary<HistoryEvent[]>, numRuns = 12) =>
  fc.assert(
    fc.asyncProperty(
      histories,
      fc.integer({ min: 1, max: 10 }),
      // The batches the first process applies (fc.double would mostly draw 0 or 1).
      fc.integer({ min: 1, max: 40 }),
      async (history, batchSize, batchesBefore) => {
        expect(await resumedBuildDifferences(openLive, openBuilt, toRecordedEvents(history), { batchSize, batchesBefore })).toEqual([]);
      },
    ),
    { numRuns },
  );
