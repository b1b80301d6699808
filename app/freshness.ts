import { asPosition, type EventStore, type Position } from '../events/index.js';
import { createCheckpointWaiter, type CheckpointWaiter, type WaitOptions } from '../projections/runtime/wait-for-checkpoint.js';
import type { Projection } from '../projections/runtime/projection.js';
import type { Freshness } from '../read-api/freshness.js';
import { ReplicaBehindError } from './read-replica.js';

// Read-your-writes over the live projections of this deployment (docs/architecture.md "Read
// path"). What a ?minPosition= costs is bounded whatever the client sends:
// - a position past the last committed event was handed to nobody: no wait can end it, so it is
//   answered at once as stale (compared with the latest COMMITTED position, not the visible head,
//   which can lag a position an append just handed out while an older transaction is in flight);
// - every request waiting on one projection shares that projection's one poll loop;
// - at most `maxWaiters` waits (one per request and projection) are held at once; past that a read
//   answers at once, stale.
// With a read replica (DATABASE_READ_URL) the waits read the replica's checkpoints, so a wait ends
// once the replica has replayed the projection's transaction up to the position: its read model
// rows come in the same transaction as its checkpoint (a Redis or Elasticsearch read model's were
// written before that checkpoint was committed), and what a standby shows only moves forward. A
// wait that ends unreached is told apart: the primary's checkpoint at the position means the
// replica lags (503 naming it: app/read-replica.ts ReplicaBehindError), else the projection is
// behind (answered, stale, as without a replica).

export interface FreshnessOptions {
  /** The live generations now: a switch since the last request is taken into account. */
  projections: () => readonly Projection[];
  store: Pick<EventStore, 'lastCommittedPosition'>;
  /** How long a read waits before answering anyway, naming the projections behind. */
  timeoutMs: number;
  /** Waits held at once by this process (one per request and projection it reads). */
  maxWaiters: number;
  poll?: WaitOptions;
  /** With a read replica (`projections` being the replica's): the same projections on the primary. */
  primaryProjections?: () => readonly Projection[];
}

export interface LiveFreshness extends Freshness {
  /** Waits held now (each a request waiting on one projection). */
  readonly waiting: number;
}

/**
 * Coalesces calls of `read`: each caller gets the result of a read that started after it called
 * (never of one already running, which may predate what the caller knows), so that at most one
 * read runs and one more waits, however many call.
 */
const freshReads = <T>(read: () => Promise<T>): (() => Promise<T>) => {
  let running: Promise<T> | undefined;
  let queued: Promise<T> | undefined;
  const start = (): Promise<T> => {
    const current = read().finally(() => {
      if (running === current) running = undefined;
    });
    running = current;
    return current;
  };
  return () => {
    if (queued) return queued;
    if (!running) return start();
    const next = running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return start();
      });
    queued = next;
    return next;
  };
};

/** The names (of those late on the replica) whose projection on the primary has applied `position`. */
const appliedOnPrimary = async (primary: readonly Projection[], late: readonly string[], position: Position): Promise<string[]> => {
  const byName = new Map(primary.map((projection) => [projection.name, projection]));
  const applied = await Promise.all(late.map(async (name) => {
    const projection = byName.get(name);
    return projection !== undefined && (await projection.checkpoint(name)) >= position;
  }));
  return late.filter((_, i) => applied[i]);
};

export const createFreshness = ({ projections, store, timeoutMs, maxWaiters, poll, primaryProjections }: FreshnessOptions): LiveFreshness => {
  // One waiter per live projection (a generation switch brings a new projection, and so a new waiter).
  const waiters = new WeakMap<Projection, CheckpointWaiter>();
  const waiterOf = (projection: Projection): CheckpointWaiter => {
    let waiter = waiters.get(projection);
    if (!waiter) waiters.set(projection, (waiter = createCheckpointWaiter(projection, [projection.name], poll)));
    return waiter;
  };
  // The committed position only grows: a position at or before one read needs no query.
  let committed: Position | undefined;
  const readCommitted = freshReads(async () => {
    const latest = await store.lastCommittedPosition();
    if (committed === undefined || latest > committed) committed = latest;
    return committed;
  });
  const inTheLog = async (position: Position): Promise<boolean> => (committed !== undefined && position <= committed) || position <= (await readCommitted());
  let waiting = 0;

  return {
    get waiting() {
      return waiting;
    },
    async behind(names, token) {
      const position = asPosition(token);
      const byName = new Map(projections().map((projection) => [projection.name, projection]));
      const pending = names.flatMap((name) => {
        const projection = byName.get(name);
        const waiter = projection && waiterOf(projection);
        return waiter && !waiter.hasReached(position) ? [{ name, waiter }] : [];
      });
      if (pending.length === 0) return [];
      if (!(await inTheLog(position)) || waiting + pending.length > maxWaiters) return pending.map(({ name }) => name);
      waiting += pending.length;
      try {
        const reached = await Promise.all(pending.map(({ waiter }) => waiter.wait(position, timeoutMs)));
        const late = pending.filter((_, i) => !reached[i]).map(({ name }) => name);
        if (late.length > 0 && primaryProjections) {
          const replicaLags = await appliedOnPrimary(primaryProjections(), late, position);
          if (replicaLags.length > 0) throw new ReplicaBehindError(replicaLags);
        }
        return late;
      } finally {
        waiting -= pending.length;
      }
    },
  };
};
