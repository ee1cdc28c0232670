-- audio.cancel_batch re-points the keys another live batch also holds in one statement, from that
-- batch's unfinished rows (read through audio_segments_pending_batch_idx, a batch at a time):
-- the newest of them per key. Before, it collected the keys, found those pointing at the cancelled
-- batch through segment_state's primary key, and looked each one's live segment up again
-- (audio.refresh_pending): about 1 s for 30,000 keys, all of it with the keys' state rows locked,
-- so a worker of the other batch finishing one of them waited that long. The re-pointing is now
-- the call's last statement. Otherwise as in the cancel_in_steps migration.
create or replace function audio.cancel_batch(p_batch_id uuid)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status text;
begin
  -- Lock in the order workers do: this step's segments first, then the batch's row. A worker
  -- holding a segment of this step is waited for; one holding a later segment is not touched.
  perform 1 from (
    select s.id from public.audio_segments as s
    where s.batch_id >= p_batch_id and s.batch_id <= p_batch_id and s.status in ('queued', 'generating')
      and s.upload_started_at is null
    order by s.batch_id, s.id
    limit audio.cancel_step_size()
    for update
  ) as x;
  select b.status into v_status from public.audio_batches as b where b.id = p_batch_id for update;
  if not found then
    raise exception 'audio.cancel_batch: no batch with id %', p_batch_id using errcode = 'P0002';
  end if;
  if v_status in ('completed', 'completed_with_errors', 'cancelled') then
    return v_status;
  end if;

  update public.audio_batches as b
  set cancel_requested_at = coalesce(b.cancel_requested_at, now()), status = 'cancelling'
  where b.id = p_batch_id;

  perform audio.cancel_segments_step(p_batch_id, audio.cancel_step_size(), false);

  -- Nothing was left to cancel (e.g. every segment had already finished): settle the status.
  update public.audio_batches as b set
    status = case when b.done + b.failed + b.cancelled >= b.total then 'cancelled' else b.status end,
    finished_at = case when b.done + b.failed + b.cancelled >= b.total then coalesce(b.finished_at, now()) end
  where b.id = p_batch_id;

  -- The cancelled segments keep their keys' pointers (segment_state counts a pointer only while
  -- its batch is not being cancelled); a key another live batch also holds points at that batch's
  -- newest segment instead, taken from the other live batches' unfinished rows (the fence keeps
  -- each batch a lookup of its index), not looked up key by key. Last in the transaction: a
  -- worker of the other batch finishing one of these keys waits for this commit, so the locks are
  -- taken as late as they can be.
  update audio.segment_state as st
  set pending_id = o.id, pending = o.status, pending_batch = o.batch_id
  from (
    select distinct on (s.word_id, s.kind) s.word_id, s.kind, s.id, s.status, s.batch_id
    from public.audio_batches as b
    cross join lateral (
      select s.word_id, s.kind, s.id, s.status, s.batch_id from public.audio_segments as s
      where s.batch_id = b.id and s.status in ('queued', 'generating')
      offset 0
    ) as s
    where b.status in ('queued', 'running') and b.cancel_requested_at is null and b.id <> p_batch_id
    order by s.word_id, s.kind, s.id desc
  ) as o
  -- Every key the other batches hold points at their newest segment: it already does unless this
  -- batch's segment was newer. Not filtered on pending_batch: statistics taken before this batch
  -- was queued expect one such row, and a plan built on that ran the subquery once per row.
  where st.word_id = o.word_id and st.kind = o.kind and st.pending_id is distinct from o.id;

  select b.status into v_status from public.audio_batches as b where b.id = p_batch_id;
  return v_status;
end;
$$;

revoke all on function audio.cancel_batch(uuid) from public, anon, authenticated;
