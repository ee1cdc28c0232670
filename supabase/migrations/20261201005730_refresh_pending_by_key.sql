-- audio.refresh_pending looks up a key's live segments through its (word_id, kind) index, never by
-- walking the primary key backwards. With `order by s.id desc limit 1` the planner could walk the
-- newest segments first, filtering on the key: right after a 300,000-segment batch was queued and
-- marked cancelled, before the statistics knew of its rows, that walk passed its 300,000 queued
-- rows for every key a cancel re-pointed (30,000 keys: the cancel ran for minutes). Ordering by
-- `s.id + 0` leaves the primary key no order to offer; a key has at most a live segment per live
-- batch, so the sort is of a few rows. Otherwise as in the segment_state migration.
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
      select s.id, s.status, s.batch_id
      from public.audio_segments as s
      join public.audio_batches as b on b.id = s.batch_id
      where s.word_id = k.word_id and s.kind = k.kind and s.status in ('queued', 'generating')
        and b.cancel_requested_at is null
      order by s.id + 0 desc
      limit 1
    ) as live on true
  ) as l
  where st.word_id = l.word_id and st.kind = l.kind
    and (st.pending_id, st.pending) is distinct from (l.id, l.status)
$$;
revoke all on function audio.refresh_pending(uuid[], text[]) from public, anon, authenticated;
