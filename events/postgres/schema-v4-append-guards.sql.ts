// Version 4 of the event store schema: appends with guards (events/event-store.ts StreamGuard).
// Each guard names another stream and the revision the decision saw it at; the append goes on
// only while that stream is still there, and holds a share lock on its row until commit, so that
// an append to the guarded stream (the author starting their account's deletion) waits for this
// transaction instead of slipping in between the check and the commit. A guard that moved raises
// SQLSTATE ES412 with `index:actual` (the guard's 1-based index, the stream's revision, -1 when it
// does not exist) as its detail. The functions of versions 1 and 3 stay, for processes of the
// previous release during a rolling deploy; these are new overloads beside them.
export const schemaV4AppendGuards = `
create or replace function event_store_check_guards(p_guard_streams text[], p_guard_revisions bigint[]) returns void
language plpgsql as $fn$
declare
  v_revision bigint;
begin
  for i in 1 .. coalesce(cardinality(p_guard_streams), 0) loop
    select s.revision into v_revision from streams s where s.stream_id = p_guard_streams[i] for share;
    if v_revision is distinct from p_guard_revisions[i] then
      raise exception using errcode = 'ES412', message = 'guarded stream moved: ' || p_guard_streams[i], detail = i || ':' || coalesce(v_revision, -1);
    end if;
  end loop;
end
$fn$;

create or replace function event_store_append(
  p_stream_id text,
  p_expected text,
  p_expected_revision bigint,
  p_event_ids uuid[],
  p_types text[],
  p_versions integer[],
  p_data jsonb[],
  p_metadata jsonb[],
  p_guard_streams text[],
  p_guard_revisions bigint[]
) returns table (next_revision bigint, last_transaction_id xid8, last_global_position bigint)
language plpgsql as $fn$
begin
  perform event_store_check_guards(p_guard_streams, p_guard_revisions);
  return query select * from event_store_append(p_stream_id, p_expected, p_expected_revision, p_event_ids, p_types, p_versions, p_data, p_metadata);
end
$fn$;

-- event_store_append_batch of version 3, with each append's guards: p_guard_counts[i] of them,
-- in order, in p_guard_streams and p_guard_revisions.
create or replace function event_store_append_batch(
  p_stream_ids text[],
  p_expected text[],
  p_expected_revisions bigint[],
  p_counts integer[],
  p_event_ids uuid[],
  p_types text[],
  p_versions integer[],
  p_data jsonb[],
  p_metadata jsonb[],
  p_guard_counts integer[],
  p_guard_streams text[],
  p_guard_revisions bigint[]
) returns table (item integer, item_next_revision bigint, item_transaction_id xid8, item_global_position bigint,
  item_error_code text, item_error_message text, item_error_detail text)
language plpgsql as $fn$
declare
  v_from integer := 1;
  v_to integer;
  v_guards_from integer := 1;
  v_guards_to integer;
  v_result record;
begin
  for i in 1 .. coalesce(cardinality(p_stream_ids), 0) loop
    v_to := v_from + p_counts[i] - 1;
    v_guards_to := v_guards_from + p_guard_counts[i] - 1;
    item := i;
    item_error_code := null; item_error_message := null; item_error_detail := null;
    begin
      select * into strict v_result from event_store_append(p_stream_ids[i], p_expected[i], p_expected_revisions[i],
        p_event_ids[v_from:v_to], p_types[v_from:v_to], p_versions[v_from:v_to], p_data[v_from:v_to], p_metadata[v_from:v_to],
        p_guard_streams[v_guards_from:v_guards_to], p_guard_revisions[v_guards_from:v_guards_to]);
      item_next_revision := v_result.next_revision;
      item_transaction_id := v_result.last_transaction_id;
      item_global_position := v_result.last_global_position;
    exception when others then
      get stacked diagnostics item_error_code = returned_sqlstate, item_error_message = message_text, item_error_detail = pg_exception_detail;
      item_next_revision := null; item_transaction_id := null; item_global_position := null;
    end;
    return next;
    v_from := v_to + 1;
    v_guards_from := v_guards_to + 1;
  end loop;
end
$fn$;
`;
