-- Lookups of unfinished segments that cannot go quadratic when the statistics are out of date.
--
-- The two partial indexes on unfinished segments (audio_segments_pending_idx by word and kind,
-- audio_segments_pending_batch_idx by batch) are nearly empty whenever no batch is live, which is
-- when autovacuum usually analyses them. The planner then believes them empty until the next
-- analyse, however many rows a new batch has put in since: right after a 300,000-segment start
-- it costs a full walk of the batch index (filtering on the key) the same as a lookup by key,
-- and chose the walk. A cancel re-pointing 30,000 keys then walked 330,000 index entries per key
-- and ran for more than ten minutes; every segment a worker finished paid one such walk too.
-- Autovacuum analyses audio_segments only after a tenth of it has changed: a 30,000-segment batch
-- on a catalog with a million rows of history never triggers it. So a large insert analyses the
-- status column itself, and the lookups a cancel and every finished segment make go by key, so
-- that even a plan made on old figures stays a lookup.

-- audio.analyze_large_insert: after a statement inserts many segments (a start or a backfill of a
-- thousand segments and more), the status statistics and the indexes' sizes are taken again at
-- once, in the inserting transaction (ANALYZE counts the transaction's own rows). Only the status
-- column, from a sample of 3,000 rows (statistics target 10: status has six values): about 15 ms
-- on a million and a half rows, against seconds for queuing the batch. skip_locked: if
-- autovacuum is working on the table right now the start does not wait for it (it renews the
-- same figures when it ends). A table the caller does not own is skipped with a warning.
create function audio.analyze_large_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_target text := pg_catalog.current_setting('default_statistics_target');
begin
  -- Below a thousand rows (an admin's usual batch) the planner's figures are off by at most that
  -- many rows, which no plan turns into a long walk.
  if (select count(*) from (select 1 from new_rows limit 1000) as x) < 1000 then
    return null;
  end if;
  perform pg_catalog.set_config('default_statistics_target', '10', true);
  analyze (skip_locked) public.audio_segments (status);
  perform pg_catalog.set_config('default_statistics_target', v_target, true);
  return null;
end;
$$;
comment on function audio.analyze_large_insert() is
  'Trigger: after 1,000+ segments inserted in one statement, ANALYZE audio_segments (status) in that transaction.';

create trigger audio_segments_analyze_large_insert
  after insert on public.audio_segments
  referencing new table as new_rows
  for each statement execute function audio.analyze_large_insert();

-- audio.refresh_pending: each key's live segment is found among the key's own rows, through
-- audio_segments_word_kind_idx (word, kind, id: a full index, so its size is always known). The
-- rows are fenced (offset 0) before the status test, so no partial index can serve the lookup.
-- A key has a row per batch that covered it, bounded by the history's retention.
create or replace function audio.refresh_pending(p_word_ids uuid[], p_kinds text[])
returns void
language sql
security definer
set search_path = ''
as $$
  update audio.segment_state as st
  set pending_id = l.id, pending = l.status, pending_batch = l.batch_id
  from (
    select k.word_id, k.kind, live.id, live.status, live.batch_id
    from (
      select distinct x.word_id, x.kind from unnest(p_word_ids, p_kinds) as x (word_id, kind)
    ) as k
    left join lateral (
      select r.id, r.status, r.batch_id
      from (
        select s.id, s.status, s.batch_id
        from public.audio_segments as s
        where s.word_id = k.word_id and s.kind = k.kind
        offset 0
      ) as r
      join public.audio_batches as b on b.id = r.batch_id
      where r.status in ('queued', 'generating') and b.cancel_requested_at is null
      order by r.id desc
      limit 1
    ) as live on true
  ) as l
  where st.word_id = l.word_id and st.kind = l.kind
    and (st.pending_id, st.pending) is distinct from (l.id, l.status)
$$;

-- audio.cancel_batch: as in the cancel_in_steps migration, except that the other live batches'
-- unfinished segments are read a batch at a time through the batch index's range (the same
-- `>= and <=` form as audio.cancel_segments_step), never by scanning the table or the whole index.
-- The fence (offset 0) keeps the lateral a lookup per batch, so the range is an index condition
-- even when the planner believes the index empty.
create or replace function audio.cancel_batch(p_batch_id uuid)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status text;
  v_word_ids uuid[];
  v_kinds text[];
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

  -- The cancelled segments keep their keys' pointers (segment_state counts a pointer only while
  -- its batch is not being cancelled); a key another live batch also holds points at that batch's
  -- segment instead: the keys of the other live batches' unfinished segments, then those of them
  -- whose pointer is this batch's, each looked up by its primary key.
  select array_agg(p.word_id), array_agg(p.kind) into v_word_ids, v_kinds
  from public.audio_batches as b
  cross join lateral (
    select s.word_id, s.kind from public.audio_segments as s
    where s.batch_id >= b.id and s.batch_id <= b.id and s.status in ('queued', 'generating')
    offset 0
  ) as p
  where b.status in ('queued', 'running') and b.cancel_requested_at is null and b.id <> p_batch_id;
  if v_word_ids is not null then
    perform audio.refresh_pending(array_agg(k.word_id), array_agg(k.kind))
    from unnest(v_word_ids, v_kinds) as k (word_id, kind)
    cross join lateral (
      select st.pending_batch from audio.segment_state as st
      where st.word_id = k.word_id and st.kind = k.kind
      limit 1
    ) as st
    where st.pending_batch = p_batch_id;
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

revoke all on function audio.analyze_large_insert() from public, anon, authenticated;
revoke all on function audio.refresh_pending(uuid[], text[]) from public, anon, authenticated;
revoke all on function audio.cancel_batch(uuid) from public, anon, authenticated;
