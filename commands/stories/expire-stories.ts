import { runBatchesPeriodically } from '../periodic.js';
import { storyDecider } from '../../domain/story/story.js';
import { streams, type EventStore } from '../../events/index.js';
import { newId, type CommandContext } from '../command-context.js';
import { handleCommand } from '../handle-command.js';

// The story expiry process: asks a source of due stories (the stories read model; commands/ may
// not import it, so it comes in as a function) which stories have passed their expiresAt, and
// sends each an ExpireStory through the story decider. Nothing is kept in memory between runs,
// so a restart simply carries on; the decider emits nothing for a story that has already ended,
// and the stream's expected revision makes two racing processes append StoryExpired once.

/** Story ids with expiresAt <= now not yet known to be expired or deleted, earliest first. */
export type DueStories = (now: string, limit: number) => Promise<string[]>;

/** The expiry process acts as the system: no user, a correlation id per run unless given. */
export type ExpiryContext = Partial<Pick<CommandContext, 'correlationId' | 'causationId'>>;

export interface ExpiryRun {
  /** Stories the source said were due. */
  checked: number;
  /** Those this run appended StoryExpired for. */
  expired: string[];
  /** Those whose command failed (they are tried again on the next run). */
  failed: Array<{ storyId: string; error: unknown }>;
}

export const DEFAULT_EXPIRY_BATCH = 100;
/** Commands in flight at once: enough to overlap round trips, few enough to leave the pool to requests. */
const CONCURRENCY = 8;

export const expireDueStories = async (
  deps: { store: EventStore },
  due: DueStories,
  now: string,
  ctx: ExpiryContext = {},
  limit = DEFAULT_EXPIRY_BATCH,
): Promise<ExpiryRun> => {
  const storyIds = await due(now, limit);
  const context: CommandContext = { actorId: null, correlationId: ctx.correlationId ?? newId(), causationId: ctx.causationId ?? null, now };
  const run: ExpiryRun = { checked: storyIds.length, expired: [], failed: [] };
  const expireOne = async (storyId: string) => {
    try {
      const { appended } = await handleCommand({
        store: deps.store,
        stream: streams.story(storyId),
        decider: storyDecider,
        command: () => ({ type: 'ExpireStory', storyId }),
        ctx: context,
      });
      if (appended > 0) run.expired.push(storyId);
    } catch (error) {
      run.failed.push({ storyId, error });
    }
  };
  const queue = [...storyIds];
  const worker = async () => {
    for (let storyId = queue.shift(); storyId !== undefined; storyId = queue.shift()) await expireOne(storyId);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  return run;
};

export interface StoryExpiryOptions {
  store: EventStore;
  due: DueStories;
  intervalMs: number;
  /** Defaults to the system clock. */
  clock?: () => Date;
  /** Told of a run that failed, or of each story whose expiry failed; the process keeps going. */
  onError: (error: unknown, storyId?: string) => void;
  /** Due stories handled per run (default 100). */
  batchSize?: number;
  /** Told of each run's outcome (for logs and metrics). */
  onRun?: (run: ExpiryRun) => void;
}

export interface StoryExpiry {
  /** Stops scheduling runs and waits for the one in progress, if any. */
  stop(): Promise<void>;
}

/**
 * Runs expireDueStories every `intervalMs`, one run at a time (the next is scheduled when the
 * last has finished). A run handles one batch: the stories it expires leave the due list only
 * once the read model has projected their StoryExpired, so asking again at once would mostly
 * get the same ids back.
 */
export const startStoryExpiry = (options: StoryExpiryOptions): StoryExpiry => {
  return runBatchesPeriodically(
    options,
    (now) => expireDueStories({ store: options.store }, options.due, now.toISOString(), {}, options.batchSize),
    (failure) => failure.storyId,
  );
};
