import type { CommandDeps } from '../commands/deps.js';
import { startStoryExpiry } from '../commands/stories/expire-stories.js';
import { startProjectors, type ProjectorGroup } from '../projections/runtime/projector-group.js';
import type { ReadModels } from './read-models.js';

// What runs beside the API in a single-process deployment: every projector, and the process
// that expires stories (it reads due stories from the stories read model and appends
// StoryExpired through the write side).
export interface BackgroundWork {
  projectors: ProjectorGroup;
  stop(): Promise<void>;
}

export const startBackgroundWork = ({
  commands,
  readModels,
  storyExpiryIntervalMs,
}: {
  commands: CommandDeps;
  readModels: ReadModels;
  storyExpiryIntervalMs: number;
}): BackgroundWork => {
  const projectors = startProjectors(commands.store, readModels.projections, { setup: false, pollIntervalMs: 100 });
  const expiry = startStoryExpiry({
    store: commands.store,
    due: (now, limit) => readModels.readers.stories.dueForExpiry(now, limit),
    intervalMs: storyExpiryIntervalMs,
    onError: (error, storyId) => console.error(`[story expiry] ${storyId ?? 'run'} failed; retried on the next run`, error),
  });
  return {
    projectors,
    async stop() {
      await expiry.stop();
      await projectors.stop();
    },
  };
};
