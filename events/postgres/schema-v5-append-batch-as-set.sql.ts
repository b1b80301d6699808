// Version 5 of the event store schema: event_store_append_batch (of version 4, same arguments and
// answer) appends the common batch as one set. Version 4 ran each append of a batch as nested
// plpgsql calls in a subtransaction of its own (guards, stream row, events: some ten statements,
// each started by the executor, per append), which made PostgreSQL's share of a create-post as
// large as the API's on the same two cores (bench:http). Now, when every append of the batch
// expects 'no_stream' or a revision and has events (all that commands send), the batch runs in
// one subtransaction with no nested calls: each guarded stream's row locked once, in stream order,
// and checked (a batch that also appends to a guarded stream goes append by append, so that each
// guard is checked where version 4 checked it); each stream's row inserted or moved on, in the
// batch's order (stream order); and every event inserted by one statement, in the batch's order. If
// anything in it refuses (a wrong expectation, a guard that moved, a reused event id, a deadlock),
// that subtransaction is rolled back whole and the batch is run again as before, append by append
// with each its own outcome: version 4's function, kept under the name event_store_append_batch_each.
// So the answer is version 4's in every case; a refusal costs one try more. Processes of the
// previous release call this same function and get the same answers.
export const schemaV5AppendBatchAsSet = `
alter function event_store_append_batch(text[], text[], bigint[], integer[], uuid[], text[], integer[], jsonb[], jsonb[], integer[], text[], bigint[])
  rename to event_store_append_batch_each;

create function event_store_append_batch(
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
language plpgsql
-- Planned once per connection: the statements over the batch's arrays would otherwise be planned
-- again on every call (the planner's custom plans for a few rows look cheaper than its generic
-- one), which made a batch of one cost four times version 4's. Each reads the streams rows by key, so
-- their generic plans do not depend on the tables' sizes.
set plan_cache_mode = force_generic_plan
as $fn$
declare
  v_items integer := coalesce(cardinality(p_stream_ids), 0);
  v_stream text;
  v_revision bigint;
  v_actual bigint;
  v_checked integer := 0;
  v_last bigint[];
  v_as_set boolean := false;
begin
  if v_items > 0 and p_expected <@ array['no_stream', 'revision'] and 0 < all(p_counts) and not (coalesce(p_guard_streams, '{}') && p_stream_ids) then
    begin
      -- The guards' rows, share-locked in stream order (the batch's guards are often one account's).
      for v_stream, v_revision in select g.stream_id, min(g.revision) from unnest(p_guard_streams, p_guard_revisions) g(stream_id, revision)
          group by g.stream_id having min(g.revision) = max(g.revision) order by g.stream_id loop
        select s.revision into v_actual from streams s where s.stream_id = v_stream for share;
        if v_actual is distinct from v_revision then
          raise exception using errcode = 'ES412', message = 'a guarded stream moved';
        end if;
        v_checked := v_checked + 1;
      end loop;
      if v_checked <> (select count(distinct g) from unnest(p_guard_streams) g) then
        raise exception using errcode = 'ES412', message = 'one stream guarded at two revisions';
      end if;
      -- The streams' rows, in the batch's order (stream order): new ones inserted, existing ones moved on.
      for i in 1 .. v_items loop
        if p_expected[i] = 'no_stream' then
          insert into streams (stream_id, revision) values (p_stream_ids[i], p_counts[i] - 1) on conflict (stream_id) do nothing;
        else
          update streams s set revision = s.revision + p_counts[i] where s.stream_id = p_stream_ids[i] and s.revision = p_expected_revisions[i];
        end if;
        if not found then
          raise exception using errcode = 'ES409', message = 'wrong expected revision';
        end if;
      end loop;
      -- Each append's events follow the revision it expected (-1 for a new stream), in the batch's order.
      with items as (
        select u.item, u.stream_id, u.count, case when u.expected = 'no_stream' then -1 else u.revision end as revision,
          (sum(u.count) over (order by u.item) - u.count)::integer as before
        from unnest(p_stream_ids, p_expected, p_expected_revisions, p_counts) with ordinality u(stream_id, expected, revision, count, item)
      ), inserted as (
        insert into events (stream_id, stream_revision, event_id, type, schema_version, data, metadata)
        select i.stream_id, i.revision + (e.ord - i.before), e.event_id, e.type, e.version, e.data, e.metadata
        from unnest(p_event_ids, p_types, p_versions, p_data, p_metadata) with ordinality as e(event_id, type, version, data, metadata, ord)
        join items i on e.ord > i.before and e.ord <= i.before + i.count
        order by e.ord
        returning stream_id, stream_revision, global_position
      )
      -- By revision too: two appends of one batch to one stream each get their own last position.
      select array_agg(l.last order by l.item) into v_last
        from (select i.item, max(n.global_position) as last from inserted n join items i
          on i.stream_id = n.stream_id and n.stream_revision > i.revision and n.stream_revision <= i.revision + i.count group by i.item) l;
      v_as_set := true;
    exception when others then
      v_as_set := false; -- run again append by append below, each with its own outcome
    end;
    if v_as_set then
      return query select u.item::integer, b.base + u.count, pg_current_xact_id(), v_last[u.item], null::text, null::text, null::text
        from unnest(p_expected, p_expected_revisions, p_counts) with ordinality u(expected, revision, count, item)
        cross join lateral (select case when u.expected = 'no_stream' then -1 else u.revision end) b(base)
        order by u.item;
      return;
    end if;
  end if;

  return query select * from event_store_append_batch_each(p_stream_ids, p_expected, p_expected_revisions, p_counts, p_event_ids, p_types,
    p_versions, p_data, p_metadata, p_guard_counts, p_guard_streams, p_guard_revisions);
end
$fn$;
`;
