-- Batch counters and status follow the segments: a statement-level trigger folds every segment
-- status change into its batch, one batch update per statement, so cancelling 10,000 segments is
-- one update. Apart from creating a batch (create_batch) and recording a cancel request
-- (cancel_batch), nothing else writes a batch's counters or status.

-- audio.sync_batch_counters: after-update statement trigger on public.audio_segments. Counts the
-- status changes per batch from the transition tables, then recomputes each touched batch's status:
--   all segments finished      cancelled (cancel requested), completed_with_errors (any failed),
--                              else completed; finished_at set
--   cancel requested           cancelling
--   a segment started or ended running
--   otherwise                  unchanged (queued)
create function audio.sync_batch_counters()
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
    started_at = coalesce(b.started_at, case when d.any_generating then now() end)
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
