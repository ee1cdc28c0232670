-- Broadcasting a batch's progress over Supabase Realtime (Broadcast from the database), on private
-- channels only admins may join (realtime_message_policies):
--   topic batch:<id>, event progress   { batch_id, seq, status, total, done, failed, cancelled,
--                                        skipped, in_flight, updated_at }
--   topic batch:<id>, event segments   { batch_id, seq, changes: [{ id, word_id, kind, status,
--                                        storage_path?, error? }], more }  (more: true = more
--                                        changed than listed; none are listed, re-read the batch)
--   topic batches,    event batch      the batch's list row, on creation and every status change
-- seq grows by one with every message on batch:<id>; a segments message comes before the
-- progress message of the same moment.

-- audio.send_broadcast: one Broadcast message on a private topic, through realtime.send where
-- the Realtime schema exists (on a plain Postgres, nothing is sent). realtime.send never raises:
-- a failed send is a warning and the message is lost, never the caller's transaction.
create function audio.send_broadcast(p_topic text, p_event text, p_payload jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if pg_catalog.to_regprocedure('realtime.send(jsonb, text, text, boolean)') is not null then
    perform realtime.send(p_payload, p_event, p_topic, true);
  end if;
end;
$$;
comment on function audio.send_broadcast(text, text, jsonb) is
  'Send one Broadcast message on a private Realtime topic (nothing where Realtime is absent).';

-- audio.broadcast_batch: broadcast the batch's state now, later, or not at all:
--   the batch is gone, or nothing changed since the last broadcast    nothing (returns 0)
--   its status changed, or it has ended                                 sent now
--   less than broadcast_interval() since the last broadcast, or the     nothing now: marked dirty,
--   paced budget (broadcast_paced_allowance) is spent                   a later call sends it
--   otherwise                                                           sent now (paced)
-- "Sent" is: the list row on `batches` if the status changed, `segments` if segment changes
-- wait, and `progress`. Returns how many messages went out. Callers hold the batch row's lock or
-- none (then the state row is locked first, and the batch read after it, so a message never
-- carries an older state than the one before it).
create function audio.broadcast_batch(p_batch_id uuid)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_state audio.batch_broadcasts;
  v_batch public.audio_batches;
  v_status_change boolean;
  v_has_changes boolean;
  v_paced boolean;
  v_messages integer;
  v_seq bigint;
begin
  if not exists (select 1 from public.audio_batches as b where b.id = p_batch_id) then
    return 0;
  end if;
  insert into audio.batch_broadcasts (batch_id) values (p_batch_id) on conflict (batch_id) do nothing;
  select * into v_state from audio.batch_broadcasts as s where s.batch_id = p_batch_id for update;
  select * into v_batch from public.audio_batches as b where b.id = p_batch_id;

  v_status_change := v_state.sent_status is distinct from v_batch.status;
  v_has_changes := v_state.changes <> '[]'::jsonb or v_state.changes_more;
  if not v_status_change and not v_has_changes
    and v_state.sent_version is not distinct from v_batch.updated_at then
    update audio.batch_broadcasts as s set dirty = false where s.batch_id = p_batch_id and s.dirty;
    return 0;
  end if;

  v_messages := 1 + v_has_changes::integer + v_status_change::integer;
  v_paced := not v_status_change
    and v_batch.status not in ('completed', 'completed_with_errors', 'cancelled');
  if v_paced and (
    v_state.sent_at > pg_catalog.clock_timestamp() - audio.broadcast_interval()
    or v_state.paced_messages + v_messages > audio.broadcast_paced_allowance(
      v_batch.total, v_batch.done + v_batch.failed + v_batch.cancelled)
  ) then
    update audio.batch_broadcasts as s set dirty = true where s.batch_id = p_batch_id and not s.dirty;
    return 0;
  end if;

  if v_status_change then
    perform audio.send_broadcast('batches', 'batch', audio.batch_list_row(v_batch));
  end if;
  v_seq := v_state.seq;
  if v_has_changes then
    v_seq := v_seq + 1;
    perform audio.send_broadcast('batch:' || p_batch_id::text, 'segments', pg_catalog.jsonb_build_object(
      'batch_id', p_batch_id, 'seq', v_seq, 'more', v_state.changes_more,
      'changes', audio.latest_segment_changes(v_state.changes)));
  end if;
  v_seq := v_seq + 1;
  perform audio.send_broadcast('batch:' || p_batch_id::text, 'progress',
    audio.batch_progress(v_batch, v_seq));

  update audio.batch_broadcasts as s set
    seq = v_seq, sent_at = pg_catalog.clock_timestamp(), sent_status = v_batch.status,
    sent_version = v_batch.updated_at, changes = '[]'::jsonb, changes_more = false, dirty = false,
    paced_messages = s.paced_messages + case when v_paced then v_messages else 0 end,
    status_messages = s.status_messages + case when v_paced then 0 else v_messages end
  where s.batch_id = p_batch_id;
  return v_messages;
end;
$$;
comment on function audio.broadcast_batch(uuid) is
  'Broadcast a batch''s progress (and waiting segment changes, and its list row on a status change) now, or mark it for later when paced out. Returns the messages sent.';

-- audio.batch_progress: the payload of a progress message: the batch row's counters and status,
-- the segments generating now, and the message's seq.
create function audio.batch_progress(p_batch public.audio_batches, p_seq bigint)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'batch_id', p_batch.id, 'seq', p_seq, 'status', p_batch.status, 'total', p_batch.total,
    'done', p_batch.done, 'failed', p_batch.failed, 'cancelled', p_batch.cancelled,
    'skipped', p_batch.skipped, 'updated_at', p_batch.updated_at,
    'in_flight', (select count(*) from public.audio_segments as s
                  where s.batch_id = p_batch.id and s.status = 'generating'))
$$;
comment on function audio.batch_progress(public.audio_batches, bigint) is
  'Payload of a progress broadcast: status, counters, in_flight and seq of the batch.';

-- audio.batch_list_row: the payload of a `batch` message on topic batches: what the batch list
-- shows of a batch.
create function audio.batch_list_row(p_batch public.audio_batches)
returns jsonb
language sql
immutable
security definer
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'id', p_batch.id, 'status', p_batch.status, 'source', p_batch.source, 'total', p_batch.total,
    'done', p_batch.done, 'failed', p_batch.failed, 'cancelled', p_batch.cancelled,
    'skipped', p_batch.skipped, 'created_at', p_batch.created_at,
    'started_at', p_batch.started_at, 'finished_at', p_batch.finished_at,
    'updated_at', p_batch.updated_at)
$$;
comment on function audio.batch_list_row(public.audio_batches) is
  'Payload of a batch message on topic batches: the batch as the list shows it.';

-- audio.latest_segment_changes: the waiting changes with only the latest of each segment, in
-- segment order (a segment that started and finished since the last message is sent once).
create function audio.latest_segment_changes(p_changes jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select coalesce(pg_catalog.jsonb_agg(x.change order by x.id), '[]'::jsonb)
  from (
    select distinct on ((c.change ->> 'id')::bigint) (c.change ->> 'id')::bigint as id, c.change
    from pg_catalog.jsonb_array_elements(p_changes) with ordinality as c(change, n)
    order by (c.change ->> 'id')::bigint, c.n desc
  ) as x
$$;
comment on function audio.latest_segment_changes(jsonb) is
  'The latest change of each segment among p_changes, in segment order.';
