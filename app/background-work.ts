import type pg from 'pg';
import type { CommandDeps } from '../commands/deps.js';
import { startStoryExpiry } from '../commands/stories/expire-stories.js';
import { UnknownReadModelError } from '../projections/runtime/generation-catalog.js';
import type { Projection } from '../projections/runtime/projection.js';
import { defaultOwner, startLeasedProjector, type LeasedProjector } from '../projections/runtime/leased-projector.js';
import { startProjector, type ProjectorHandle, type ProjectorOptions, type ProjectorStatus } from '../projections/runtime/runner.js';
import type { LiveReadModels } from './live-read-models.js';
import { startErasureWorker, type ErasureWorkerOptions } from './erasure-worker.js';
import { startMediaWorkers, type MediaWorkersOptions } from './media-workers.js';

// What runs beside (or instead of) the API: a projector per live read model, and the process that
// expires stories (it reads due stories from the stories read model and appends StoryExpired
// through the write side). When the replay CLI switches a read model to a new generation, its
// projector here moves over: the old one finishes its batch and stops, the new one resumes from
// the new generation's checkpoint. In worker processes (roles worker and all) the media workers
// run here too (app/media-workers.ts): processing, the janitor and the sweeper; and the erasure
// worker (app/erasure-worker.ts): the due list of deleted accounts and the eraser.
// With PROJECTOR_PARTITIONS, each read model runs under partition leases shared with the other
// projector processes (projections/runtime/leased-projector.ts) instead of whole in every one.
export interface BackgroundWork {
  /** The running projectors (one per selected read model, or one per partition held). */
  projectors(): ProjectorHandle[];
  statuses(): ProjectorStatus[];
  /** With PROJECTOR_PARTITIONS: how many partitions of each projection this process holds now. */
  ownedPartitions(): Map<string, number>;
  stop(): Promise<void>;
}

export interface BackgroundOptions {
  commands: CommandDeps;
  readModels: LiveReadModels;
  /** Names of the projections to run; undefined runs every one. */
  projections: readonly string[] | undefined;
  storyExpiry: boolean;
  storyExpiryIntervalMs: number;
  /** The media workers' parts; undefined where they do not run (roles api and projector). */
  media?: MediaWorkersOptions | undefined;
  /** The erasure worker's parts; undefined where it does not run (roles api and projector). */
  erasure?: ErasureWorkerOptions | undefined;
  /** Where the projectors park an event they cannot apply (docs/architecture.md "Parked events"). */
  parking?: ProjectorOptions['parking'];
  /** Split each projection into partitions shared by lease among the projector processes; undefined runs each whole here. */
  partitioned?: PartitionedSettings | undefined;
}

/** PROJECTOR_PARTITIONS and PROJECTOR_LEASE. */
export interface PartitionedSettings {
  partitions: number;
  leaseMs: number;
  /** The pool the leases live in (the process's pool for projectors and workers). */
  pool: pg.Pool;
}

/**
 * How many partitions `projection` is split into: a read model that can lose its data behind its
 * checkpoint's back (Projection.verify: Redis) is reset whole, checkpoint with it, so it runs as one
 * leased partition, one process at a time.
 */
export const partitionsOf = (projection: Projection, partitions: number): number => (projection.verify ? 1 : partitions);

export const startBackgroundWork = ({ commands, readModels, projections, storyExpiry, storyExpiryIntervalMs, media, erasure, parking, partitioned }: BackgroundOptions): BackgroundWork => {
  const known = readModels.projections().map((p) => p.name);
  const unknown = (projections ?? []).filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new UnknownReadModelError(unknown, known);
  const selected = (name: string) => !projections || projections.includes(name);

  const projectorOptions: ProjectorOptions = { setup: false, pollIntervalMs: 100, ...(parking ? { parking } : {}) };
  const running = new Map<string, ProjectorHandle>();
  const leased = new Map<string, LeasedProjector>();
  const owner = defaultOwner();
  const start = (projection: Projection) =>
    partitioned
      ? leased.set(
          projection.name,
          startLeasedProjector(commands.store, projection, {
            pool: partitioned.pool,
            partitions: partitionsOf(projection, partitioned.partitions),
            leaseMs: partitioned.leaseMs,
            owner,
            projector: projectorOptions,
          }),
        )
      : running.set(projection.name, startProjector(commands.store, projection, projectorOptions));
  for (const projection of readModels.projections()) if (selected(projection.name)) start(projection);
  let stopped = false;
  const moves: Promise<void>[] = [];
  readModels.onSwitch((name, projection) => {
    if (!selected(name) || stopped) return;
    // The partitions held stay held: their instances move to the new generation.
    if (partitioned) return leased.get(name)?.switchTo(projection);
    const previous = running.get(name);
    start(projection);
    // Both may run for a moment: every write is idempotent and checkpoints never move back.
    if (previous) moves.push(previous.stop());
  });
  const projectors = () => [...running.values(), ...[...leased.values()].flatMap((group) => group.projectors())];

  const expiry = storyExpiry
    ? startStoryExpiry({
        store: commands.store,
        due: (now, limit) => readModels.readers.stories.dueForExpiry(now, limit),
        intervalMs: storyExpiryIntervalMs,
        onError: (error, storyId) => console.error(`[story expiry] ${storyId ?? 'run'} failed; retried on the next run`, error),
      })
    : null;
  const mediaWorkers = media ? startMediaWorkers(media) : null;
  const erasureWorker = erasure ? startErasureWorker(erasure) : null;
  return {
    projectors,
    ownedPartitions: () => new Map([...leased].map(([name, group]) => [name, group.owned().length])),
    // The media and erasure reactors' lag and failures are reported beside the projectors' (they are not read models).
    statuses: () => [...projectors().map((projector) => projector.status()), ...(mediaWorkers?.statuses() ?? []), ...(erasureWorker?.statuses() ?? [])],
    async stop() {
      stopped = true;
      await erasureWorker?.stop();
      await mediaWorkers?.stop();
      await expiry?.stop();
      await Promise.all([...running.values()].map((projector) => projector.stop()));
      await Promise.all([...leased.values()].map((group) => group.stop()));
      await Promise.all(moves);
    },
  };
};
