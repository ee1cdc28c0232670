-- The rest of a claim comes oldest first, as audio.read_in_turn says. Its fallback, pgmq.read for
-- the messages no live batch's segment names (poison bodies, settled segments), returned them in
-- the order pgmq.read yields them, and pgmq.read (1.5.1) returns its UPDATE ... RETURNING rows
-- unsorted: it picks the oldest visible messages but hands them back in whatever order the update
-- met them (local/pgmq's stand-in sorted them, so the tests never saw it). The fallback now
-- orders its rows by msg_id itself. Everything else is as in 20261201005200_fair_claims.sql; the
-- comment and grants are unchanged.

-- audio.read_in_turn: pgmq.read in the order claims hand work out. Up to p_qty visible messages,
-- each made invisible for p_vt_s seconds with its read count raised by one, exactly as pgmq.read
-- updates the queue table. The order, which is also the order of the rows returned:
--   1. messages of live admin batches, then of live backfill batches, each in turn
--      (audio.next_in_turn); the batches served are recorded (audio.record_claim_turns);
--   2. then, if fewer than p_qty were found, pgmq.read for the rest (messages no live batch's
--      segment names, e.g. poison bodies, which claim_segments archives), oldest (lowest msg_id)
--      first.
-- Returns what pgmq.read returns.
create or replace function audio.read_in_turn(p_qty integer, p_vt_s integer)
returns setof pgmq.message_record
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_admin boolean;
  v_msg_ids bigint[] := '{}'::bigint[];
  v_batch_ids uuid[] := '{}'::uuid[];
begin
  foreach v_admin in array array[true, false] loop
    exit when cardinality(v_msg_ids) >= p_qty;
    select v_msg_ids || coalesce(array_agg(n.msg_id order by n.ord), '{}'::bigint[]),
      v_batch_ids || coalesce(array_agg(n.batch_id order by n.ord), '{}'::uuid[])
    into v_msg_ids, v_batch_ids
    from audio.next_in_turn(v_admin, p_qty - cardinality(v_msg_ids)) with ordinality as n (msg_id, batch_id, ord);
  end loop;

  if cardinality(v_msg_ids) > 0 then
    perform audio.record_claim_turns(v_batch_ids);
    return query
    with read as (
      update pgmq.q_audio_segments as q
      set vt = clock_timestamp() + make_interval(secs => p_vt_s), read_ct = q.read_ct + 1
      where q.msg_id = any (v_msg_ids)
      returning q.msg_id, q.read_ct, q.enqueued_at, q.vt, q.message, q.headers
    )
    select r.msg_id, r.read_ct, r.enqueued_at, r.vt, r.message, r.headers
    from read as r
    join unnest(v_msg_ids) with ordinality as o (msg_id, n) on o.msg_id = r.msg_id
    order by o.n;
  end if;

  if cardinality(v_msg_ids) < p_qty then
    return query
    select r.msg_id, r.read_ct, r.enqueued_at, r.vt, r.message, r.headers
    from pgmq.read(queue_name => 'audio_segments'::text, vt => p_vt_s::integer,
      qty => (p_qty - cardinality(v_msg_ids))::integer) as r
    order by r.msg_id;
  end if;
end;
$$;
