-- Retrying a batch's failed segments (the admin page's retry button, through admin-api).

-- audio.retry_failed: queue a batch's failed segments again (attempts reset, new messages); the
-- counter trigger uncounts the failures and moves the batch back to running. Outcomes:
--   n > 0   that many segments queued again
--   0       the batch has no failed segment
--   P0002   no batch with this id
--   55000   the batch was cancelled: start a new batch instead
create function audio.retry_failed(p_batch_id uuid)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_ids bigint[];
begin
  -- Same lock order as workers and cancel_batch: segments, then the batch.
  select array_agg(f.id order by f.id) into v_ids from (
    select s.id from public.audio_segments as s
    where s.batch_id = p_batch_id and s.status = 'failed' order by s.id for update
  ) as f;
  perform 1 from public.audio_batches as b where b.id = p_batch_id for update;
  if not found then
    raise exception 'audio.retry_failed: no batch with id %', p_batch_id using errcode = 'P0002';
  end if;
  if exists (select 1 from public.audio_batches as b where b.id = p_batch_id and b.cancel_requested_at is not null) then
    raise exception 'audio.retry_failed: batch % was cancelled; start a new batch instead', p_batch_id
      using errcode = '55000';
  end if;
  if v_ids is null then
    return 0;
  end if;

  with sent as (select * from audio.enqueue_segments(p_batch_id, v_ids))
  update public.audio_segments as s
  set status = 'queued', attempts = 0, last_error = null, started_at = null, finished_at = null,
    upload_started_at = null, msg_id = sent.msg_id
  from sent
  where s.id = sent.segment_id;
  return cardinality(v_ids);
end;
$$;
comment on function audio.retry_failed(uuid) is
  'Queue the failed segments of a batch again; returns how many. Refused for cancelled batches.';
