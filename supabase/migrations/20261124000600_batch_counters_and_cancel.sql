-- Batch counters and status follow the segments: a statement-level trigger folds every segment
-- status change into its batch (one batch update per statement, so cancelling 10,000 segments is
-- one update). Cancelling a batch is one function, callable from SQL and by the admin page.

-- audio.sync_batch_counters: trigger function on public.audio_segments (after update).
create or replace function audio.sync_batch_counters()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.audio_batches as b set
    done = b.done + d.d_done,
    failed = b.failed + d.d_failed,
    cancelled = b.cancelled + d.d_cancelled,
    skipped = b.skipped + d.d_skipped,
    started_at = coalesce(b.started_at, case when d.any_generating then now() end),
    updated_at = now()
  from (
    select n.batch_id,
      count(*) filter (where n.status = 'done') - count(*) filter (where o.status = 'done') as d_done,
      count(*) filter (where n.status = 'failed') - count(*) filter (where o.status = 'failed') as d_failed,
      count(*) filter (where n.status = 'cancelled') - count(*) filter (where o.status = 'cancelled') as d_cancelled,
      count(*) filter (where n.status = 'done' and n.reused) - count(*) filter (where o.status = 'done' and o.reused) as d_skipped,
      bool_or(n.status = 'generating') as any_generating
    from new_rows as n
    join old_rows as o on o.id = n.id
    where n.status is distinct from o.status or n.reused is distinct from o.reused
    group by n.batch_id
  ) as d
  where b.id = d.batch_id;

  -- A second statement, so it sees the counters the first one wrote.
  update public.audio_batches as b set
    status = case
      when b.done + b.failed + b.cancelled >= b.total then
        case when b.cancel_requested_at is not null then 'cancelled'
             when b.failed > 0 then 'completed_with_errors'
             else 'completed' end
      when b.cancel_requested_at is not null then 'cancelling'
      when b.started_at is not null or b.done + b.failed > 0 then 'running'
      else b.status end,
    finished_at = case when b.done + b.failed + b.cancelled >= b.total then coalesce(b.finished_at, now()) end
  where b.id in (select distinct n.batch_id from new_rows as n);
  return null;
end;
$$;
comment on function audio.sync_batch_counters() is
  'Trigger: fold segment status changes into audio_batches counters and status.';

create trigger audio_segments_sync_batch
after update on public.audio_segments
referencing old table as old_rows new table as new_rows
for each statement execute function audio.sync_batch_counters();

-- audio.cancel_batch: queued and generating segments become cancelled at once and their messages
-- are deleted; workers see cancel_requested_at within a second and abort in-flight requests, and
-- audio.begin_attempt / end_attempt / complete_segment refuse the batch from now on. A segment
-- whose upload had already started (upload_started_at) finishes as done, and the batch turns
-- cancelled when it has. Returns the batch's status. Cancelling a finished batch changes nothing.
create or replace function audio.cancel_batch(p_batch_id uuid)
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
  set cancel_requested_at = coalesce(b.cancel_requested_at, now()), status = 'cancelling', updated_at = now()
  where b.id = p_batch_id;

  with c as (
    update public.audio_segments as s
    set status = 'cancelled', finished_at = now(), updated_at = now()
    where s.batch_id = p_batch_id and s.status in ('queued', 'generating') and s.upload_started_at is null
    returning s.msg_id
  )
  select array_agg(c.msg_id) filter (where c.msg_id is not null) into v_msg_ids from c;

  if v_msg_ids is not null then
    perform pgmq.delete(queue_name => 'audio_segments'::text, msg_ids => v_msg_ids);
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
