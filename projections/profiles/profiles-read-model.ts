import { deleteCheckpoints } from '../runtime/checkpoints-postgres.js';
import { finishPostgresBuild } from '../runtime/build-schema.js';
import { analyzeTables, dropTables, dumpTables } from '../runtime/dump-postgres.js';
import type { ReadModelDefinition } from '../runtime/read-model.js';
import { WrittenKeys } from '../runtime/written-keys.js';
import type { CardPublisher } from './card-bus.js';
import { addDeferredCounts, DEFERRED_COUNT_TABLES } from './deferred-counts.js';
import { createProfilesProjection, PROFILES } from './profiles-projection.js';
import { createProfilesReader, type ProfilesReader } from './profiles-reader.js';
import { PROFILES_SCHEMA, PROFILES_TABLES } from './schema.js';
import type { StateTable } from './stored-state.js';

/** The profiles read model as registered with the platform (and so with the replay CLI). */
export const profilesReadModel = ({ cards }: { cards?: CardPublisher | undefined } = {}): ReadModelDefinition<ProfilesReader> => ({
  name: PROFILES,
  backend: 'postgresql',
  open: ({ pool, mode }) => {
    // A generation built from the start of the log is written by this pass alone until finishBuild.
    const written = mode === 'build' ? new WrittenKeys<StateTable>() : undefined;
    return {
      // A generation being rebuilt serves no cards: the API clears its cache when it switches to it.
      projection: createProfilesProjection(pool, { cards: mode === 'live' ? cards : undefined, mode, written }),
      reader: createProfilesReader(pool),
      dump: () => dumpTables(pool, PROFILES_TABLES),
      analyze: () => analyzeTables(pool, PROFILES_TABLES, { building: mode === 'build' }),
      ...(written
        ? {
            async finishBuild() {
              // Once it may serve, the projector processes write into it too: counts go to their rows again.
              written.close();
              await addDeferredCounts(pool);
              await finishPostgresBuild(pool, PROFILES_SCHEMA);
            },
          }
        : {}),
      async drop() {
        await dropTables(pool, [...PROFILES_TABLES, ...DEFERRED_COUNT_TABLES]);
        await deleteCheckpoints(pool, PROFILES);
      },
    };
  },
});
