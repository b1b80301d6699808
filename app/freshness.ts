import { asPosition } from '../events/index.js';
import { waitForCheckpoint } from '../projections/runtime/wait-for-checkpoint.js';
import type { Projection } from '../projections/runtime/projection.js';
import type { Freshness } from '../read-api/freshness.js';

/** Read-your-writes over the live projections of this deployment (one instance each, keyed by name). */
export const createFreshness = (projections: () => readonly Projection[], timeoutMs: number): Freshness => {
  return {
    async behind(names, position) {
      // The live generations now: a switch since the last request is taken into account.
      const byName = new Map(projections().map((projection) => [projection.name, projection]));
      const waits = names.map(async (name) => {
        const projection = byName.get(name);
        const reached = projection ? await waitForCheckpoint(projection, [name], asPosition(position), timeoutMs) : true;
        return reached ? null : name;
      });
      return (await Promise.all(waits)).filter((name): name is string => name !== null);
    },
  };
};
