import type pg from 'pg';
import type { EventMetadata } from '../envelope.js';
import { upcast } from '../upcasters.js';
import type { PersonalDataKeyStore } from './key-store.js';
import { PERSONAL_DATA, SEALED_STATE, sealValidEvent } from './personal-data-event-store.js';
import { personalEventTypes } from './personal-fields.js';

// The re-keying migration (`npm run replay -- encrypt-personal-data`): seals the personal fields
// of events appended in clear before the store sealed them, in place, in batches of the log's
// order. Each row is rewritten once, as the store would have written it at append (upcast to the
// current version of its type, personal values sealed into its metadata, erased in its data);
// rows already sealed are never selected, so the command is idempotent, and an interrupted run
// resumes by running it again. Positions, ids and revisions do not change, so read models built
// from the clear rows stay valid (the same events, read the same way). Last, it deletes the
// snapshots that are not sealed: they were folded from clear events, and would otherwise keep
// their personal text past an erasure (a snapshot is a cache: commands fold whole streams until
// they save a sealed one).

const SELECT = `select global_position, event_id, type, schema_version, data, metadata from events
  where global_position > $1 and type = any($2::text[]) and not (metadata ? '${PERSONAL_DATA}')
  order by global_position limit $3`;

const UPDATE = `update events e set data = u.data, metadata = u.metadata, schema_version = u.version
  from unnest($1::bigint[], $2::jsonb[], $3::jsonb[], $4::integer[]) as u(global_position, data, metadata, version)
  where e.global_position = u.global_position and not (e.metadata ? '${PERSONAL_DATA}')`;

const DELETE_CLEAR_SNAPSHOTS = `delete from stream_snapshots where not (state ? '${SEALED_STATE}')`;

interface ClearRow {
  global_position: string;
  event_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
}

export interface SealStoredProgress {
  /** Events of types with personal fields read so far. */
  scanned: number;
  /** Of those, events rewritten sealed (the others had no personal value present). */
  sealed: number;
}

export interface SealStoredOptions {
  batchSize: number;
  /** Aborted: stops after the batch in hand (the next run continues). */
  signal?: AbortSignal;
  onBatch?: (progress: SealStoredProgress) => void;
}

export const sealStoredPersonalData = async (
  pool: pg.Pool,
  keys: PersonalDataKeyStore,
  options: SealStoredOptions,
): Promise<SealStoredProgress & { interrupted: boolean; snapshotsDeleted: number }> => {
  const progress: SealStoredProgress = { scanned: 0, sealed: 0 };
  let after = '0';
  for (;;) {
    if (options.signal?.aborted) return { ...progress, interrupted: true, snapshotsDeleted: 0 };
    const { rows } = await pool.query<ClearRow>(SELECT, [after, personalEventTypes, options.batchSize]);
    if (rows.length === 0) break;
    const updates = { positions: [] as string[], data: [] as string[], metadata: [] as string[], versions: [] as number[] };
    for (const row of rows) {
      const current = upcast(row.type, row.schema_version, row.data);
      const sealed = await sealValidEvent({ eventId: row.event_id, type: row.type, data: current.data, metadata: row.metadata }, (personId) => keys.keyFor(personId));
      if (!(PERSONAL_DATA in sealed.metadata)) continue;
      updates.positions.push(row.global_position);
      updates.data.push(JSON.stringify(sealed.data));
      updates.metadata.push(JSON.stringify(sealed.metadata));
      updates.versions.push(current.version);
    }
    if (updates.positions.length > 0) await pool.query(UPDATE, [updates.positions, updates.data, updates.metadata, updates.versions]);
    progress.scanned += rows.length;
    progress.sealed += updates.positions.length;
    after = rows.at(-1)!.global_position;
    options.onBatch?.({ ...progress });
    if (rows.length < options.batchSize) break;
  }
  const { rowCount } = await pool.query(DELETE_CLEAR_SNAPSHOTS);
  return { ...progress, interrupted: false, snapshotsDeleted: rowCount ?? 0 };
};
