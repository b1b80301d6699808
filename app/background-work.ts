import type { CommandDeps } from '../commands/deps.js';
import { startStoryExpiry } from '../commands/stories/expire-stories.js';
import { UnknownReadModelError } from '../projections/runtime/generation-catalog.js';
import type { Projection } from '../projections/runtime/projection.js';
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
export interface BackgroundWork {
  /** The running projectors (one per selected read model). */
  projectors(): ProjectorHandle[];
  statuses(): ProjectorStatus[];
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
}

export const startBackgroundWork = ({ commands, readModels, projections, storyExpiry, storyExpiryIntervalMs, media, erasure, parking }: BackgroundOptions): BackgroundWork => {
  const known = readModels.projections().map((p) => p.name);
  const unknown = (projections ?? []).filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new UnknownReadModelError(unknown, known);
  const selected = (name: string) => !projections || projections.includes(name);

  const running = new Map<string, ProjectorHandle>();
  const start = (projection: Projection) =>
    running.set(projection.name, startProjector(commands.store, projection, { setup: false, pollIntervalMs: 100, ...(parking ? { parking } : {}) }));
  for (const projection of readModels.projections()) if (selected(projection.name)) start(projection);
  let stopped = false;
  const moves: Promise<void>[] = [];
  readModels.onSwitch((name, projection) => {
    if (!selected(name) || stopped) return;
    const previous = running.get(name);
    start(projection);
    // Both may run for a moment: every write is idempotent and checkpoints never move back.
    if (previous) moves.push(previous.stop());
  });

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
    projectors: () => [...running.values()],
    // The media and erasure reactors' lag and failures are reported beside the projectors' (they are not read models).
    statuses: () => [...[...running.values()].map((projector) => projector.status()), ...(mediaWorkers?.statuses() ?? []), ...(erasureWorker?.statuses() ?? [])],
    async stop() {
      stopped = true;
      await erasureWorker?.stop();
      await mediaWorkers?.stop();
      await expiry?.stop();
      await Promise.all([...running.values()].map((projector) => projector.stop()));
      await Promise.all(moves);
    },
  };
};
