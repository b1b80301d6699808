import { deleteCheckpoints } from '../runtime/checkpoints-postgres.js';
import { analyzeTables, dropTables, dumpTables } from '../runtime/dump-postgres.js';
import type { ReadModelDefinition } from '../runtime/read-model.js';
import { createProfilesProjection, PROFILES } from './profiles-projection.js';
import { createProfilesReader, type ProfilesReader } from './profiles-reader.js';
import { PROFILES_TABLES } from './schema.js';

/** The profiles read model as registered with the platform (and so with the replay CLI). */
export const profilesReadModel = (): ReadModelDefinition<ProfilesReader> => ({
  name: PROFILES,
  backend: 'postgresql',
  open: ({ pool }) => ({
    projection: createProfilesProjection(pool),
    reader: createProfilesReader(pool),
    dump: () => dumpTables(pool, PROFILES_TABLES),
    analyze: () => analyzeTables(pool, PROFILES_TABLES),
    async drop() {
      await dropTables(pool, PROFILES_TABLES);
      await deleteCheckpoints(pool, PROFILES);
    },
  }),
});
