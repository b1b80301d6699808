import { deleteCheckpoints } from '../runtime/checkpoints-postgres.js';
import { finishPostgresBuild } from '../runtime/build-schema.js';
import { analyzeTables, dropTables, dumpTables } from '../runtime/dump-postgres.js';
import type { ReadModelDefinition } from '../runtime/read-model.js';
import { createMediaProjection, MEDIA } from './media-projection.js';
import { createMediaReader, type MediaReader } from './media-reader.js';
import { MEDIA_SCHEMA, MEDIA_TABLES } from './media-schema.js';

/** The media read model as registered with the platform (and so with the replay CLI). */
export const mediaReadModel = (): ReadModelDefinition<MediaReader> => ({
  name: MEDIA,
  backend: 'postgresql',
  open: ({ pool, mode }) => ({
    projection: createMediaProjection(pool, { mode }),
    reader: createMediaReader(pool),
    dump: () => dumpTables(pool, MEDIA_TABLES),
    analyze: () => analyzeTables(pool, MEDIA_TABLES, { building: mode === 'build' }),
    ...(mode === 'build' ? { finishBuild: () => finishPostgresBuild(pool, MEDIA_SCHEMA) } : {}),
    async drop() {
      await dropTables(pool, MEDIA_TABLES);
      await deleteCheckpoints(pool, MEDIA);
    },
  }),
});
