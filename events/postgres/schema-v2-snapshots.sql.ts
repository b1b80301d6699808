// Version 2 of the event store schema: stream snapshots (events/snapshot-store.ts). One row per
// stream and snapshot key, so that processes of two releases (one key each) never overwrite each
// other's snapshots during a rolling deploy. The table is a cache: truncating it, or deleting the
// rows of keys no release uses any more, only makes the next commands read whole streams again.
export const schemaV2Snapshots = `
create table if not exists stream_snapshots (
  stream_id text not null,
  snapshot_key text not null,
  -- The revision of the last event folded into the state, and that event's position token.
  revision bigint not null,
  position text not null,
  state jsonb not null,
  -- snapshotDigest(): a row not written by saveSnapshot is not trusted.
  digest text not null,
  saved_at timestamptz not null default now(),
  primary key (stream_id, snapshot_key)
);
`;
