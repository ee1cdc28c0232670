-- audio.track_segment_state recomputes a key's pending pointer (audio.refresh_pending) only when an
-- update ends the segment the key points at: a begin or any other update of a live segment calls
-- nothing (it used to call refresh_pending with empty arrays on every update, which planned and
-- ran a statement for nothing three times per segment). Counted with track_functions.
begin;
\ir ../fixtures.psql
select plan(4);
set local track_functions = 'all';

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1], p_kinds => array['word']);
create temporary table t_seg on commit drop as
  select s.id from public.audio_segments as s where s.batch_id = (select batch_id from t_batch);

create function pg_temp.refreshes() returns integer language sql as $$
  select coalesce(sum(f.calls), 0)::integer from pg_stat_xact_user_functions as f
  where f.schemaname = 'audio' and f.funcname = 'refresh_pending'
$$;

update public.audio_segments set status = 'generating', attempts = attempts + 1
where id = (select id from t_seg);
select is(pg_temp.refreshes(), 0, 'a begin recomputes no pending pointer');
update public.audio_segments set last_error = 'a retry' where id = (select id from t_seg);
select is(pg_temp.refreshes(), 0, 'another update of a live segment recomputes none');

update public.audio_segments set status = 'done', storage_path = 'p/1.mp3', bytes = 10, finished_at = now()
where id = (select id from t_seg);
select is(pg_temp.refreshes(), 1, 'the key''s pending segment ends: one recompute');
select is(
  (select pending from audio.segment_state where word_id = audio_test.word_id(1) and kind = 'word'),
  null, 'and the key points at no live segment');

select * from finish();
rollback;
