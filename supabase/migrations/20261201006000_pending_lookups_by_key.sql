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
-- status column itself, and the lookup every finished segment makes (audio.refresh_pending) goes
-- by key, so that even a plan made on old figures stays a lookup. (audio.cancel_batch's lookups:
-- the cancel_repoints_from_live_rows migration.)

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

revoke all on function audio.analyze_large_insert() from public, anon, authenticated;
revoke all on function audio.refresh_pending(uuid[], text[]) from public, anon, authenticated;
