-- A segment update locks its batch's row only when the batch's counters or status change. Until
-- now the counter trigger settled the status of every batch in the statement, so an update that
-- changes no status (end_attempt recording upload_started_at, a begin after the batch has started)
-- still took the batch row's lock until commit. audio.end_and_begin ends a segment of one batch
-- and begins one of another in one transaction, so two workers crossing between two batches took
-- the two rows in opposite orders and deadlocked (the kicks and learned-limit tests saw it about
-- one run in five, as "deadlock detected" on complete_segment). Now an end takes no batch row, a
-- begin only the first one of its batch, and a worker's transaction at most one batch row.

-- audio.sync_batch_counters: after-update statement trigger on public.audio_segments. Folds the
-- status changes into each batch's counters (and started_at at its first generating segment),
-- then settles the status of those batches only: a batch whose counters and started_at did not
-- move cannot change status, so its row is neither updated nor locked.
create or replace function audio.sync_batch_counters()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_changed uuid[];
begin
  with changed as (
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
    where b.id = d.batch_id
      and (d.d_done <> 0 or d.d_failed <> 0 or d.d_cancelled <> 0 or d.d_skipped <> 0
        or (d.any_generating and b.started_at is null))
    returning b.id
  )
  select array_agg(changed.id) into v_changed from changed;

  -- A second statement, so it sees the counters the first one wrote.
  if v_changed is not null then
    perform audio.settle_batch_status(v_changed);
  end if;
  return null;
end;
$$;
comment on function audio.sync_batch_counters() is
  'Trigger: fold segment status changes into audio_batches counters and settle the status of the batches that changed.';

revoke all on function audio.sync_batch_counters() from public, anon, authenticated;
