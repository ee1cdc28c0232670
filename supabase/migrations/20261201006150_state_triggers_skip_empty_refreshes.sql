-- The state triggers' share of a worker's round trips, measured at the database (bench at C = 3,
-- 200 ms, 450 segments, track_functions = all): audio.refresh_pending ran on every update of a
-- segment, 1,353 calls for 450 segments at 0.52 ms each, and did something on one in three. It was
-- called with empty arrays whenever no finished segment was a key's pending one (a begin, an
-- attempt counted), and, as a SQL function that is not inlined (security definer), it planned its
-- update afresh on each call. The hand-off's call (audio.end_and_begin) took 3.3 ms at the database
-- (p50, of a 7 ms gap between one request's end and the next one's start at the provider) and the
-- completion 2.9 ms.
--   audio.track_segment_state, audio.track_segment_state_deletes   call refresh_pending only with
--                                                                  keys to recompute
--   audio.refresh_pending                                          plpgsql with plan_cache_mode
--                                                                  force_generic_plan: planned once
--                                                                  per session (0.52 ms to 0.14 ms)
-- Otherwise as before (20261201006000, 20261201006010).
create or replace function audio.refresh_pending(p_word_ids uuid[], p_kinds text[])
returns void
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
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
    and (st.pending_id, st.pending) is distinct from (l.id, l.status);
end;
$$;
comment on function audio.refresh_pending(uuid[], text[]) is
  'Recompute segment_state.pending for these (word, kind) keys from the live segments.';

create or replace function audio.track_segment_state()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_words uuid[];
  v_kinds text[];
begin
  update audio.segment_state as st set pending_id = n.id, pending = n.status, pending_batch = n.batch_id
  from (
    select distinct on (n.word_id, n.kind) n.word_id, n.kind, n.id, n.status, n.batch_id
    from new_rows as n join public.audio_batches as b on b.id = n.batch_id
    where n.status in ('queued', 'generating') and b.cancel_requested_at is null
    order by n.word_id, n.kind, n.id desc
  ) as n
  where st.word_id = n.word_id and st.kind = n.kind and n.id >= coalesce(st.pending_id, 0)
    and (st.pending_id, st.pending) is distinct from (n.id, n.status);

  update audio.segment_state as st
  set finished_id = n.id, finished_status = n.status, finished_error = n.last_error
  from (
    select distinct on (n.word_id, n.kind) n.word_id, n.kind, n.id, n.status, n.last_error, n.text_hash
    from new_rows as n
    where n.status in ('done', 'failed')
    order by n.word_id, n.kind, n.id desc
  ) as n
  where st.word_id = n.word_id and st.kind = n.kind and st.text_hash = n.text_hash
    and n.id >= coalesce(st.finished_id, 0)
    and (st.finished_id, st.finished_status, st.finished_error)
      is distinct from (n.id, n.status, n.last_error);

  -- A cancelled segment keeps its key's pointer: segments are cancelled only in a batch being
  -- cancelled (cancel_batch, guard_segment), which the reads ignore; audio.cancel_batch
  -- recomputes the few keys another live batch also holds.
  -- Joined on the key (the primary key), never on pending_id alone: that would scan the table
  -- for every segment a worker finishes.
  select array_agg(st.word_id), array_agg(st.kind) into v_words, v_kinds
  from new_rows as n
  join audio.segment_state as st on st.word_id = n.word_id and st.kind = n.kind and st.pending_id = n.id
  where n.status in ('done', 'failed');
  -- Most updates finish nothing (a begin, an attempt counted): then nothing to recompute.
  if v_words is not null then
    perform audio.refresh_pending(v_words, v_kinds);
  end if;
  return null;
end;
$$;
comment on function audio.track_segment_state() is
  'Trigger: keep segment_state.pending and .finished in step with inserted and updated segments.';

create or replace function audio.track_segment_state_deletes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_words uuid[];
  v_kinds text[];
begin
  select array_agg(st.word_id), array_agg(st.kind) into v_words, v_kinds
  from old_rows as o
  join audio.segment_state as st on st.word_id = o.word_id and st.kind = o.kind and st.pending_id = o.id;
  if v_words is not null then
    perform audio.refresh_pending(v_words, v_kinds);
  end if;

  select array_agg(distinct st.word_id) into v_words
  from old_rows as o
  join audio.segment_state as st on st.word_id = o.word_id and st.kind = o.kind and st.finished_id = o.id;
  if v_words is not null then
    perform audio.refresh_segment_state(v_words);
  end if;
  return null;
end;
$$;
comment on function audio.track_segment_state_deletes() is
  'Trigger: recompute segment_state rows whose pending or finished segment was deleted.';

-- create or replace keeps the functions' grants (revoked from public, anon and authenticated).
