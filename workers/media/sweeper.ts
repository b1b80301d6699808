import { runBatchesPeriodically, type Periodic } from '../../commands/periodic.js';
import { newId, type CommandContext } from '../../commands/command-context.js';
import type { MediaStorage } from '../../media/storage/media-storage.js';
import type { MediaWorkerCommands } from './media-commands.js';
import { isRefusal } from './janitor.js';

// The sweeper (docs/architecture.md "Media"): every MEDIA_SWEEP interval it asks the media read
// model for uploads left behind (never completed past their upload's expiry, or processed and
// never attached within UNATTACHED_MEDIA_TTL_MS), expires each through the media aggregate
// (MediaExpired, once: the decider refuses attached media and appends nothing for ended ones),
// and deletes its objects. A run keeps nothing in memory, so a restart carries on; the janitor
// also deletes the objects on MediaExpired, which covers a crash between the two.

/** Media ids the read model finds abandoned at `nowMs`, at most `limit`. */
export type StaleMedia = (nowMs: number, limit: number) => Promise<readonly string[]>;

export interface SweepDeps {
  storage: MediaStorage;
  commands: Pick<MediaWorkerCommands, 'expireMedia'>;
  stale: StaleMedia;
}

export interface SweepRun {
  checked: number;
  expired: string[];
  failed: Array<{ mediaId: string; error: unknown }>;
}

export const DEFAULT_SWEEP_BATCH = 100;

export const sweepOnce = async (deps: SweepDeps, now: Date, limit = DEFAULT_SWEEP_BATCH): Promise<SweepRun> => {
  const ids = await deps.stale(now.getTime(), limit);
  const ctx: CommandContext = { actorId: null, correlationId: newId(), causationId: null, now: now.toISOString() };
  const run: SweepRun = { checked: ids.length, expired: [], failed: [] };
  for (const mediaId of ids) {
    try {
      const keys = await deps.commands.expireMedia({ mediaId }, ctx);
      if (keys.length > 0) await deps.storage.delete(keys);
      run.expired.push(mediaId);
    } catch (error) {
      if (!isRefusal(error)) run.failed.push({ mediaId, error });
    }
  }
  return run;
};

export interface SweeperOptions extends SweepDeps {
  intervalMs: number;
  clock?: () => Date;
  onError: (error: unknown, mediaId?: string) => void;
  onRun?: (run: SweepRun) => void;
  batchSize?: number;
}

/** Runs sweepOnce every `intervalMs`, one run at a time (the next is scheduled when the last has finished). */
export const startSweeper = (options: SweeperOptions): Periodic => {
  return runBatchesPeriodically(options, (now) => sweepOnce(options, now, options.batchSize), (failure) => failure.mediaId);
};
