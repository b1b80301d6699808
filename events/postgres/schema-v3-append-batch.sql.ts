// Version 3 of the event store schema: appends to several streams in one round trip and one
// commit (append-batch.ts). Each append runs in its own subtransaction (the exception block), so
// that one wrong expectation or unique violation refuses that append alone, with the error it
// would have raised by itself (its SQLSTATE, message and detail in the row), and the others
// commit. A cancellation (statement timeout) is not caught: the whole batch fails, as each append
// would have. The caller keeps a batch under 64 appends (the subtransactions a backend caches)
// and orders it by stream id, so that concurrent batches lock stream rows in one order.
export const schemaV3AppendBatch = `
create or replace function event_store_append_batch(
  p_stream_ids text[],
  p_expected text[],
  p_expected_revisions bigint[],
  p_counts integer[],
  p_event_ids uuid[],
  p_types text[],
  p_versions integer[],
  p_data jsonb[],
  p_metadata jsonb[]
) returns table (item integer, item_next_revision bigint, item_transaction_id xid8, item_global_position bigint,
  item_error_code text, item_error_message text, item_error_detail text)
language plpgsql as $fn$
declare
  v_from integer := 1;
  v_to integer;
  v_result record;
begin
  for i in 1 .. coalesce(cardinality(p_stream_ids), 0) loop
    v_to := v_from + p_counts[i] - 1;
    item := i;
    item_error_code := null; item_error_message := null; item_error_detail := null;
    begin
      select * into strict v_result from event_store_append(p_stream_ids[i], p_expected[i], p_expected_revisions[i],
        p_event_ids[v_from:v_to], p_types[v_from:v_to], p_versions[v_from:v_to], p_data[v_from:v_to], p_metadata[v_from:v_to]);
      item_next_revision := v_result.next_revision;
      item_transaction_id := v_result.last_transaction_id;
      item_global_position := v_result.last_global_position;
    exception when others then
      get stacked diagnostics item_error_code = returned_sqlstate, item_error_message = message_text, item_error_detail = pg_exception_detail;
      item_next_revision := null; item_transaction_id := null; item_global_position := null;
    end;
    return next;
    v_from := v_to + 1;
  end loop;
end
$fn$;
`;
