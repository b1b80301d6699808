import type { CommandDeps } from '../commands/deps.js';
import { startStoryExpiry } from '../commands/stories/expire-stories.js';
import { startProjectors, type ProjectorGroup } from '../projections/runtime/projector-group.js';
import type { ReadModels } from './read-models.js';

// What runs beside (or instead of) the API: projectors, and the process that expires stories (it
// reads due stories from the stories read model and appends StoryExpired through the write side).
export interface BackgroundWork {
  projectors: ProjectorGroup;
  stop(): Promise<void>;
}

export interface BackgroundOptions {
  commands: CommandDeps;
  readModels: ReadModels;
  /** Names of the projections to run; undefined runs every one. */
  projections: readonly string[] | undefined;
  storyExpiry: boolean;
  storyExpiryIntervalMs: number;
}

export class UnknownProjectionError extends Error {
  constructor(names: string[], known: string[]) {
    super(`unknown projection(s) ${names.join(', ')}; known: ${known.join(', ')}`);
    this.name = 'UnknownProjectionError';
  }
}

export const startBackgroundWork = ({ commands, readModels, projections, storyExpiry, storyExpiryIntervalMs }: BackgroundOptions): BackgroundWork => {
  const known = readModels.projections.map((p) => p.name);
  const unknown = (projections ?? []).filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new UnknownProjectionError(unknown, known);
  const selected = projections ? readModels.projections.filter((p) => projections.includes(p.name)) : readModels.projections;
  const group = startProjectors(commands.store, selected, { setup: false, pollIntervalMs: 100 });
  const expiry = storyExpiry
    ? startStoryExpiry({
        store: commands.store,
        due: (now, limit) => readModels.readers.stories.dueForExpiry(now, limit),
        intervalMs: storyExpiryIntervalMs,
        onError: (error, storyId) => console.error(`[story expiry] ${storyId ?? 'run'} failed; retried on the next run`, error),
      })
    : null;
  return {
    projectors: group,
    async stop() {
      await expiry?.stop();
      await group.stop();
    },
  };
};
