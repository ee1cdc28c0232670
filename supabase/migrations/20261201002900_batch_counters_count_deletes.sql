-- Batch counters count deleted segments too. A segment row goes away when its word is deleted
-- (audio_segments.word_id cascades); until now only status updates were counted, so a batch
-- whose word was deleted mid-run kept waiting for rows that no longer existed and stayed running
-- for good. Deletes are now folded in like updates: the batch's total and the counter of each
-- deleted row's status go down, its queue messages are deleted, and its status is settled again,
-- so a batch always ends. Rows are deleted rather than kept (word_id set null) because the admin
-- page and the contract treat word_id as always present, and a row for a word that no longer
-- exists says nothing the batch's smaller total does not.

-- audio.settle_batch_status: recompute the status (and finished_at) of these batches from their
-- counters. The one place the status rules live, shared by the update and delete triggers:
--   all segments finished      cancelled (cancel requested), completed_with_errors (any failed),
--                              else completed; finished_at set
--   cancel requested           cancelling
--   a segment started or ended running
--   otherwise                  unchanged (queued)
create function audio.settle_batch_status(p_batch_ids uuid[])
returns void
language sql
security definer
set search_path = ''
as $$
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
  where b.id = any (p_batch_ids)
$$;
comment on function audio.settle_batch_status(uuid[]) is
  'Recompute the status and finished_at of the given batches from their counters.';

-- audio.sync_batch_counters: after-update statement trigger on public.audio_segments. Counts the
-- status changes per batch from the transition tables, then settles each touched batch's status
-- (audio.settle_batch_status). Same counting as before; the status rules moved to that function.
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
  perform audio.settle_batch_status(array(select distinct n.batch_id from new_rows as n));
  return null;
end;
$$;

-- audio.count_segment_deletes: after-delete statement trigger on public.audio_segments. Per batch,
-- takes the deleted rows out of total and out of the counter of their status, deletes the queue
-- messages of the deleted rows that were still queued or generating (a worker holding one finds
-- the segment gone at its next step and drops it), then settles the batches' status. A batch
-- deleted in the same statement (its segments cascade) simply matches no row.
create function audio.count_segment_deletes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_msg_ids bigint[];
begin
  update public.audio_batches as b set
    total = b.total - d.n,
    done = b.done - d.n_done,
    failed = b.failed - d.n_failed,
    cancelled = b.cancelled - d.n_cancelled,
    skipped = b.skipped - d.n_skipped
  from (
    select o.batch_id, count(*) as n,
      count(*) filter (where o.status = 'done') as n_done,
      count(*) filter (where o.status = 'failed') as n_failed,
      count(*) filter (where o.status = 'cancelled') as n_cancelled,
      count(*) filter (where o.status = 'done' and o.reused) as n_skipped
    from old_rows as o
    group by o.batch_id
  ) as d
  where b.id = d.batch_id;

  select array_agg(o.msg_id) into v_msg_ids
  from old_rows as o
  where o.status in ('queued', 'generating') and o.msg_id is not null;
  if v_msg_ids is not null then
    perform pgmq.delete(queue_name => 'audio_segments'::text, msg_ids => v_msg_ids::bigint[]);
  end if;

  perform audio.settle_batch_status(array(select distinct o.batch_id from old_rows as o));
  return null;
end;
$$;
comment on function audio.count_segment_deletes() is
  'Trigger: take deleted segments out of their batches'' counters, delete their queue messages, settle the batches'' status.';

create trigger audio_segments_count_deletes
after delete on public.audio_segments
referencing old table as old_rows
for each statement execute function audio.count_segment_deletes();

-- audio.batch_counter_drift: the batches whose counters differ from their segment rows (total =
-- rows, done/failed/cancelled = rows in that status, skipped = done rows that reused audio), with
-- both sides. Empty when the counters are right, which the triggers keep true; the tests check it
-- after every scenario, and an operator can run it any time.
create function audio.batch_counter_drift()
returns table (
  batch_id uuid, status text,
  total integer, rows_total integer, done integer, rows_done integer, failed integer, rows_failed integer,
  cancelled integer, rows_cancelled integer, skipped integer, rows_skipped integer
)
language sql
stable
security definer
set search_path = ''
as $$
  select b.id, b.status, b.total, r.n, b.done, r.n_done, b.failed, r.n_failed,
    b.cancelled, r.n_cancelled, b.skipped, r.n_skipped
  from public.audio_batches as b
  cross join lateral (
    select count(*)::integer as n,
      (count(*) filter (where s.status = 'done'))::integer as n_done,
      (count(*) filter (where s.status = 'failed'))::integer as n_failed,
      (count(*) filter (where s.status = 'cancelled'))::integer as n_cancelled,
      (count(*) filter (where s.status = 'done' and s.reused))::integer as n_skipped
    from public.audio_segments as s where s.batch_id = b.id
  ) as r
  where (b.total, b.done, b.failed, b.cancelled, b.skipped)
    is distinct from (r.n, r.n_done, r.n_failed, r.n_cancelled, r.n_skipped)
$$;
comment on function audio.batch_counter_drift() is
  'Batches whose counters (total, done, failed, cancelled, skipped) differ from their segment rows; empty when all agree.';
