-- A delete of segments rebuilds the segment_state rows of the words whose finished segment it
-- took, and nothing else. The trigger passed `array_agg(...)` of those words straight to
-- audio.refresh_segment_state, and array_agg over no rows is null, which that function reads as
-- "every word": any delete that took no key's finished segment rebuilt the whole table. Such
-- deletes are common: a start that queues nothing deletes its empty batch (the cascade runs a
-- delete of no segments), and so does every nightly backfill with nothing missing; at 100,000
-- words each rebuilt 300,000 rows (12 s of a 25 s backfill).
create or replace function audio.track_segment_state_deletes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_words uuid[];
begin
  perform audio.refresh_pending(array_agg(st.word_id), array_agg(st.kind))
  from old_rows as o
  join audio.segment_state as st on st.word_id = o.word_id and st.kind = o.kind and st.pending_id = o.id;

  select array_agg(distinct st.word_id) into v_words
  from old_rows as o
  join audio.segment_state as st on st.word_id = o.word_id and st.kind = o.kind and st.finished_id = o.id;
  if v_words is not null then
    perform audio.refresh_segment_state(v_words);
  end if;
  return null;
end;
$$;

revoke all on function audio.track_segment_state_deletes() from public, anon, authenticated;
