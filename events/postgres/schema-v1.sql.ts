// Version 1 of the event store schema. Table names are unqualified on purpose: they land in the
// first schema of the connection's search_path, which is how tests and tenants isolate stores.
export const schemaV1 = `
create table if not exists events (
  global_position bigint generated always as identity primary key,
  -- The appending transaction: readers of the global log order by (transaction_id,
  -- global_position) and only read transactions older than every running one (docs/architecture.md "Event store").
  transaction_id xid8 not null default pg_current_xact_id(),
  stream_id text not null,
  stream_revision bigint not null,
  event_id uuid not null unique,
  type text not null,
  schema_version integer not null,
  data jsonb not null,
  metadata jsonb not null,
  recorded_at timestamptz not null default now(),
  unique (stream_id, stream_revision)
);

create index if not exists events_log_order on events (transaction_id, global_position);

-- One row per stream with its last revision: appenders lock it, so concurrent appends to one
-- stream queue there and each one checks its expectation against its predecessor's result.
create table if not exists streams (
  stream_id text primary key,
  revision bigint not null
);

-- The whole append in one round trip. p_expected is 'no_stream', 'stream_exists', 'any' or
-- 'revision' (then p_expected_revision is the expected last revision). A wrong expectation
-- raises SQLSTATE ES409 with the actual revision (-1: no stream) as its detail.
-- With no events, it only checks the expectation and returns the stream's last event.
-- It does not NOTIFY: that would serialise commits (see append-notifier.ts).
create or replace function event_store_append(
  p_stream_id text,
  p_expected text,
  p_expected_revision bigint,
  p_event_ids uuid[],
  p_types text[],
  p_versions integer[],
  p_data jsonb[],
  p_metadata jsonb[]
) returns table (next_revision bigint, last_transaction_id xid8, last_global_position bigint)
language plpgsql as $fn$
declare
  v_count integer := coalesce(cardinality(p_event_ids), 0);
  v_current bigint;
  v_last bigint;
  v_ready boolean := false;
begin
  -- A new stream: create its row. If a concurrent first append holds the key, this waits for it
  -- and then does nothing, so the update below sees that append's result.
  if v_count > 0 and p_expected in ('no_stream', 'any') then
    insert into streams (stream_id, revision) values (p_stream_id, v_count - 1) on conflict (stream_id) do nothing;
    v_ready := found;
    v_current := -1;
  end if;

  -- An existing stream: move its revision on, only if it is the one expected. The update locks
  -- the row, so concurrent appenders queue here and each is checked against its predecessor.
  if not v_ready and v_count > 0 then
    update streams s set revision = s.revision + v_count
      where s.stream_id = p_stream_id
        and (p_expected in ('any', 'stream_exists') or (p_expected = 'revision' and s.revision = p_expected_revision))
      returning s.revision - v_count into v_current;
    v_ready := found;
  end if;

  if not v_ready then
    select s.revision into v_current from streams s where s.stream_id = p_stream_id;
    v_current := coalesce(v_current, -1);
    if (p_expected = 'no_stream' and v_current <> -1)
       or (p_expected = 'stream_exists' and v_current = -1)
       or (p_expected = 'revision' and v_current is distinct from p_expected_revision)
       or v_count > 0 then
      raise exception using errcode = 'ES409', message = 'wrong expected revision', detail = v_current::text;
    end if;
    return query select v_current, e.transaction_id, e.global_position
      from events e where e.stream_id = p_stream_id and e.stream_revision = v_current;
    return;
  end if;

  with inserted as (
    insert into events (stream_id, stream_revision, event_id, type, schema_version, data, metadata)
    select p_stream_id, v_current + e.ord, e.event_id, e.type, e.version, e.data, e.metadata
    from unnest(p_event_ids, p_types, p_versions, p_data, p_metadata)
      with ordinality as e(event_id, type, version, data, metadata, ord)
    order by e.ord
    returning global_position
  )
  select max(global_position) into v_last from inserted;
  return query select v_current + v_count, pg_current_xact_id(), v_last;
end
$fn$;
`;
