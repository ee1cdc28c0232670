-- Cancelling a batch: one function, callable from SQL and by the admin page (cancel-batch), and
-- the check workers poll to abort in-flight requests.

-- audio.cancel_batch: queued and generating segments become cancelled at once and their messages
-- are deleted (not archived); workers see cancel_requested_at within a second and abort in-flight
-- requests, and begin_attempt, end_attempt and complete_segment refuse the batch from now on. A
-- segment whose upload had already started (upload_started_at) finishes as done, and the batch
-- turns cancelled when it has. Returns the batch's status. Outcomes:
--   cancelled         nothing of the batch is left to finish (or it was cancelled before)
--   cancelling        an upload cleared before the cancel is still finishing; the batch turns
--                     cancelled when it is done
--   completed, completed_with_errors
--                     the batch had finished: unchanged, no cancel request recorded
--   P0002             no batch with this id
create function audio.cancel_batch(p_batch_id uuid)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status text;
  v_msg_ids bigint[];
begin
  -- Lock in the order workers do (a segment, then its batch through the counter trigger), so a
  -- cancel racing a worker waits for it instead of deadlocking: unfinished segments first.
  perform 1 from public.audio_segments as s
  where s.batch_id = p_batch_id and s.status in ('queued', 'generating')
  order by s.id
  for update;
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

  with c as (
    update public.audio_segments as s
    set status = 'cancelled', finished_at = now()
    where s.batch_id = p_batch_id and s.status in ('queued', 'generating') and s.upload_started_at is null
    returning s.msg_id
  )
  select array_agg(c.msg_id) filter (where c.msg_id is not null) into v_msg_ids from c;

  if v_msg_ids is not null then
    perform pgmq.delete(queue_name => 'audio_segments'::text, msg_ids => v_msg_ids::bigint[]);
  end if;

  -- Nothing was left to cancel (e.g. every segment had already finished): settle the status.
  update public.audio_batches as b set
    status = case when b.done + b.failed + b.cancelled >= b.total then 'cancelled' else b.status end,
    finished_at = case when b.done + b.failed + b.cancelled >= b.total then coalesce(b.finished_at, now()) end
  where b.id = p_batch_id;

  select b.status into v_status from public.audio_batches as b where b.id = p_batch_id;
  return v_status;
end;
$$;
comment on function audio.cancel_batch(uuid) is
  'Cancel a batch: queued/generating segments cancelled, their messages deleted, workers abort in-flight requests. Returns the new status.';

-- audio.cancelled_batches: which of these batches were cancelled (the worker polls this to abort
-- in-flight requests within a second). Unknown ids are ignored.
create function audio.cancelled_batches(p_batch_ids uuid[])
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select b.id from public.audio_batches as b
  where b.id = any (p_batch_ids) and b.cancel_requested_at is not null
$$;
comment on function audio.cancelled_batches(uuid[]) is
  'The subset of the given batches that have been cancelled.';
