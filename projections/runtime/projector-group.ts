import type { EventStore } from '../../events/index.js';
import type { Projection } from './projection.js';
import { startProjector, type ProjectorHandle, type ProjectorOptions, type ProjectorStatus } from './runner.js';

// What a `projector` process runs: one projector per projection (or per partition of it), each
// with its own loop, checkpoint and retries, so that one failing read model does not hold up
// the others.

export interface ProjectorGroup {
  readonly projectors: readonly ProjectorHandle[];
  statuses(): ProjectorStatus[];
  /** Stops every projector gracefully (each finishes its current batch). */
  stop(): Promise<void>;
}

export const startProjectors = (
  store: EventStore,
  projections: readonly Projection[],
  options: ProjectorOptions | ((projection: Projection) => ProjectorOptions) = {},
): ProjectorGroup => {
  const projectors = projections.map((projection) =>
    startProjector(store, projection, typeof options === 'function' ? options(projection) : options),
  );
  return {
    projectors,
    statuses: () => projectors.map((projector) => projector.status()),
    async stop() {
      await Promise.all(projectors.map((projector) => projector.stop()));
    },
  };
};
