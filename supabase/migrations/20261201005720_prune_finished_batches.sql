-- Retention for the segment history. Every batch leaves a row per segment, so a year of nightly
-- backfills and daily admin batches grows audio_segments without end. audio.prune_history (the
-- nightly job) now also deletes the segment rows of batches that finished more than the retention
-- (history_retention_days, default 30) ago, except the rows the page still reads: a (word, kind)'s
-- newest finished segment (its last failure, with the error) and its pending one, which
-- audio.segment_state points at, and the segment word_audio names. The batch rows stay, with their
-- counters as they were: a pruned batch is listed in audio.pruned_batches, and the delete-counting
-- trigger leaves its counters alone (its history is what it did, not the rows that remain).

create table audio.pruned_batches (
  batch_id uuid primary key references public.audio_batches (id) on delete cascade,
  pruned_at timestamptz not null default now()
);
comment on table audio.pruned_batches is
  'Finished batches whose segment rows audio.prune_history deleted; their counters stay as history.';
alter table audio.pruned_batches enable row level security;
revoke all on table audio.pruned_batches from public, anon, authenticated;

-- audio.count_segment_deletes: as in the batch_counters_count_deletes migration, except that the
-- rows of a pruned batch leave its counters and status alone.
create or replace function audio.count_segment_deletes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_msg_ids bigint[];
  v_batches uuid[];
begin
  select array_agg(d.batch_id) into v_batches
  from (select distinct o.batch_id from old_rows as o) as d
  where not exists (select 1 from audio.pruned_batches as p where p.batch_id = d.batch_id);

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
    where o.batch_id = any (v_batches)
    group by o.batch_id
  ) as d
  where b.id = d.batch_id;

  select array_agg(o.msg_id) into v_msg_ids
  from old_rows as o
  where o.status in ('queued', 'generating') and o.msg_id is not null;
  if v_msg_ids is not null then
    perform pgmq.delete(queue_name => 'audio_segments'::text, msg_ids => v_msg_ids::bigint[]);
  end if;

  if v_batches is not null then
    perform audio.settle_batch_status(v_batches);
  end if;
  return null;
end;
$$;

-- audio.batch_counter_drift: as before, over the batches whose rows are all there (a pruned
-- batch's counters are its history; its remaining rows are a few of them by design).
create or replace function audio.batch_counter_drift()
returns table (
  batch_id uuid, status text, total integer, rows_total integer, done integer, rows_done integer,
  failed integer, rows_failed integer, cancelled integer, rows_cancelled integer, skipped integer,
  rows_skipped integer
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
  where not exists (select 1 from audio.pruned_batches as p where p.batch_id = b.id)
    and (b.total, b.done, b.failed, b.cancelled, b.skipped)
      is distinct from (r.n, r.n_done, r.n_failed, r.n_cancelled, r.n_skipped)
$$;

-- audio.prune_history: as in the prune_history migration, and the segment rows of batches that
-- finished before the cutoff, less those the page reads (above). A batch is listed as pruned the
-- first time; its kept rows are looked at again each night and go once nothing points at them.
-- Returns the counts, the newly pruned batches and the segment rows deleted among them.
drop function audio.prune_history(timestamptz);
create function audio.prune_history(p_now timestamptz default now())
returns table (
  cron_runs integer, archived_messages integer, dead_letters integer, batches integer, segments integer
)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_cutoff timestamptz := p_now - make_interval(days => audio.history_retention_days());
  v_batches uuid[];
begin
  delete from cron.job_run_details as r where r.start_time < v_cutoff;
  get diagnostics cron_runs = row_count;
  delete from pgmq.a_audio_segments as a where a.archived_at < v_cutoff;
  get diagnostics archived_messages = row_count;
  delete from audio.dead_letters as d where d.archived_at < v_cutoff;
  get diagnostics dead_letters = row_count;

  select array_agg(b.id) into v_batches
  from public.audio_batches as b
  where b.status in ('completed', 'completed_with_errors', 'cancelled') and b.finished_at < v_cutoff;
  insert into audio.pruned_batches (batch_id, pruned_at)
  select u.id, p_now from unnest(v_batches) as u (id)
  on conflict (batch_id) do nothing;
  get diagnostics batches = row_count;

  delete from public.audio_segments as s
  where s.batch_id = any (v_batches)
    and not exists (
      select 1 from audio.segment_state as st
      where st.word_id = s.word_id and st.kind = s.kind and (st.finished_id = s.id or st.pending_id = s.id)
    )
    and not exists (
      select 1 from public.word_audio as wa
      where wa.word_id = s.word_id and wa.kind = s.kind and wa.segment_id = s.id
    );
  get diagnostics segments = row_count;
  return next;
end;
$$;
comment on function audio.prune_history(timestamptz) is
  'Delete cron run records, archived messages, dead-letter reasons and the segment rows of finished batches older than the retention (less those the page reads); returns the counts.';

revoke all on function audio.count_segment_deletes() from public, anon, authenticated;
revoke all on function audio.batch_counter_drift() from public, anon, authenticated;
revoke all on function audio.prune_history(timestamptz) from public, anon, authenticated;
