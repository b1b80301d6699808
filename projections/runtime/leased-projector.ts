import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import { maxPosition, START, type EventStore, type Position } from '../../events/index.js';
import { planLeases } from './lease-share.js';
import { createPartitionLeases, type PartitionLeases } from './leases-postgres.js';
import { checkpointKeyOf, type Partition } from './partition.js';
import type { Projection } from './projection.js';
import { startProjector, type ProjectorHandle, type ProjectorOptions } from './runner.js';
import { sleep } from './sleep.js';

// One projection run across several projector processes (docs/architecture.md "Partitioned
// projectors"). The projection is split into `partitions` by stream (partition.ts); each process
// runs a lease loop that, every lease / 3, renews the leases it holds (leases-postgres.ts), works
// out its share (lease-share.ts), lets go of what is over it and claims what is free, and runs
// one projector (runner.ts) per partition it holds. A process that dies stops renewing; its
// leases expire and the others claim them, each partition resuming from its own checkpoint.
//
// Fencing by expiry: an instance is stopped once its lease has less than a sixth of its length
// left without a successful renewal (two renewals in a row failed), measured on this process's
// monotonic clock from before the query that last extended it, so it stops before the database
// lets anyone else claim the partition. This keeps two processes from running one partition as a
// rule, but a batch already being applied when the fence falls still finishes; what makes that
// safe is what already makes a crash safe: every write is idempotent and a checkpoint never moves
// back, so a batch applied twice, even by two processes at once, changes nothing.
//
// The projection's own checkpoint (its name, no partition) is kept as the lowest of the
// partitions' by the holder of partition 0 ("rolled up"), so that everything that reads a
// projection's progress by its name (read-your-writes, readiness, the erasure worker, the replay
// CLI) goes on working; and a partition with no checkpoint of its own yet (a first start, another
// partition count, a generation the replay CLI built unpartitioned) starts from it rather than
// from the start of the log.

export interface LeasedProjectorOptions {
  /** Where the leases live (the process's pool for projectors and workers). */
  pool: pg.Pool;
  /** How many partitions the projection is split into; 1 runs it whole, in one process at a time. */
  partitions: number;
  /** How long a lease lasts without renewal (renewed every third of it). */
  leaseMs: number;
  /** This process's name in the lease table (default: host, pid and a random part). */
  owner?: string;
  /** Each instance's options (the partition is set per instance). */
  projector?: Omit<ProjectorOptions, 'partition'>;
  /** A failing turn of the lease loop (retried on the next turn). Defaults to console.error. */
  onError?: (error: unknown, projection: string) => void;
}

export interface LeasedProjector {
  readonly owner: string;
  /** The instances running here, one per partition held. */
  projectors(): ProjectorHandle[];
  /** The partitions this process holds and runs, in order. */
  owned(): number[];
  /** Runs the held partitions on `projection` from now on (a generation switch): the new instances start before the old stop. */
  switchTo(projection: Projection): void;
  /** Stops every instance (each finishes its batch), then gives the leases back for others to take at once. */
  stop(): Promise<void>;
}

/** Below this much of a lease left without a renewal, the instance is stopped (see the header). */
const FENCE_FRACTION = 1 / 6;
const ROLLUP_FIRST_MS = 25;
const ROLLUP_MAX_MS = 250;

export const defaultOwner = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

interface Instance {
  handle: ProjectorHandle;
  fence: NodeJS.Timeout;
}

export const startLeasedProjector = (store: EventStore, projection: Projection, options: LeasedProjectorOptions): LeasedProjector => {
  const { partitions: count, leaseMs } = options;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`partitions must be a whole number >= 1, got ${count}`);
  const owner = options.owner ?? defaultOwner();
  const onError = options.onError ?? ((error: unknown, name: string) => console.error(`[leases ${name}] lease turn failed; retrying`, error));
  const partitionOf = (index: number): Partition | undefined => (count > 1 ? { index, count } : undefined);
  const leases: PartitionLeases = createPartitionLeases(options.pool, {
    projection: projection.name,
    partitions: count,
    owner,
    leaseMs,
    leaseName: (index) => checkpointKeyOf(projection.name, partitionOf(index)),
  });
  let current = projection;
  const instances = new Map<number, Instance>();
  const stopping = new AbortController();
  const draining = new Set<Promise<void>>();

  const track = (promise: Promise<void>) => {
    draining.add(promise);
    void promise.finally(() => draining.delete(promise));
    return promise;
  };
  const fenceAt = (index: number, since: number) =>
    setTimeout(() => {
      if (!instances.has(index)) return;
      console.error(`[leases ${projection.name}] lease of partition ${index} not renewed in time: stopping it`);
      void track(drop(index));
    }, Math.max(0, since + leaseMs * (1 - FENCE_FRACTION) - performance.now())).unref();

  const start = (index: number, since: number) => {
    const handle = startProjector(store, runnable(current, count), { ...options.projector, ...(count > 1 ? { partition: partitionOf(index)! } : {}) });
    instances.set(index, { handle, fence: fenceAt(index, since) });
  };
  const extend = (index: number, since: number) => {
    const instance = instances.get(index)!;
    clearTimeout(instance.fence);
    instance.fence = fenceAt(index, since);
  };
  const drop = async (index: number) => {
    const instance = instances.get(index);
    if (!instance) return;
    instances.delete(index);
    clearTimeout(instance.fence);
    await instance.handle.stop();
  };

  /** One turn: renew, then release over the share and claim what is free. */
  const turn = async () => {
    const renewedSince = performance.now();
    const held = new Set(await leases.renew());
    // Lost (expired, or taken): stopped without waiting for its batch, so that the other leases' turn is not held up.
    for (const index of [...instances.keys()]) if (!held.has(index)) void track(drop(index));
    for (const index of held) {
      // Held but not running here: a turn that failed after the renewal, or an instance fenced while the renewal was slow.
      if (instances.has(index)) extend(index, renewedSince);
      else start(index, renewedSince);
    }
    const state = await leases.state();
    const plan = planLeases({ count, me: owner, owners: state.owners, mine: [...instances.keys()], free: state.free });
    for (const index of plan.release) {
      // Stopped before it is released: whoever claims it next starts after this batch is stored.
      await drop(index);
      await leases.release(index);
    }
    for (const index of plan.claim) {
      if (stopping.signal.aborted) return;
      const claimedSince = performance.now();
      if (await leases.claim(index)) start(index, claimedSince);
    }
  };

  const loop = async () => {
    while (!stopping.signal.aborted) {
      try {
        await leases.setup();
        break;
      } catch (error) {
        onError(error, projection.name);
        await sleep(leaseMs / 3, stopping.signal);
      }
    }
    while (!stopping.signal.aborted) {
      const began = performance.now();
      try {
        await turn();
      } catch (error) {
        onError(error, projection.name);
      }
      await sleep(Math.max(0, leaseMs / 3 - (performance.now() - began)), stopping.signal);
    }
  };

  /** While this process holds partition 0: the projection's own checkpoint follows the lowest of the partitions'. */
  const rollup = async () => {
    let rolled: Position | undefined;
    let pause = ROLLUP_FIRST_MS;
    while (!stopping.signal.aborted) {
      await sleep(pause, stopping.signal);
      if (!instances.has(0) || stopping.signal.aborted) continue;
      try {
        const target = current;
        const lowest = await lowestOfPartitions(target, count);
        const moved = lowest !== START && (rolled === undefined || lowest > rolled);
        if (moved) await target.apply({ events: [], position: lowest, replay: options.projector?.replay ?? false }, target.name);
        if (moved) rolled = lowest;
        pause = moved ? ROLLUP_FIRST_MS : Math.min(pause * 2, ROLLUP_MAX_MS);
      } catch (error) {
        onError(error, projection.name);
        pause = ROLLUP_MAX_MS;
      }
    }
  };

  const running = loop();
  const rolling = count > 1 ? rollup() : Promise.resolve();

  return {
    owner,
    projectors: () => [...instances.values()].map((instance) => instance.handle),
    owned: () => [...instances.keys()].sort((a, b) => a - b),
    switchTo(projection) {
      current = projection;
      for (const [index, instance] of instances) {
        const previous = instance.handle;
        instance.handle = startProjector(store, runnable(projection, count), { ...options.projector, ...(count > 1 ? { partition: partitionOf(index)! } : {}) });
        // Both may run for a moment: every write is idempotent and checkpoints never move back.
        void track(previous.stop());
      }
    },
    async stop() {
      stopping.abort();
      await Promise.all([running, rolling]);
      await Promise.all([...instances.keys()].map((index) => drop(index)));
      await Promise.all(draining);
      await leases.leave().catch((error: unknown) => onError(error, projection.name));
    },
  };
};

/**
 * The projection as a partition runs it: a partition's checkpoint is never behind the
 * projection's own (the rolled-up lowest of every partition's, or what an unpartitioned run
 * stored), since everything up to that is applied in every partition already.
 */
const runnable = (projection: Projection, count: number): Projection =>
  count === 1
    ? projection
    : {
        ...projection,
        checkpoint: async (checkpointKey) => {
          const [own, whole] = await Promise.all([projection.checkpoint(checkpointKey), projection.checkpoint(projection.name)]);
          return checkpointKey === projection.name ? whole : maxPosition(own, whole);
        },
      };

/** The lowest of the partitions' checkpoints as they run them (runnable): max(lowest stored, the projection's own). */
const lowestOfPartitions = async (projection: Projection, count: number): Promise<Position> => {
  const keys = Array.from({ length: count }, (_, index) => checkpointKeyOf(projection.name, { index, count }));
  const [whole, ...checkpoints] = await Promise.all([projection.name, ...keys].map((key) => projection.checkpoint(key)));
  return maxPosition(whole!, checkpoints.reduce((lowest, checkpoint) => (checkpoint < lowest ? checkpoint : lowest)));
};
