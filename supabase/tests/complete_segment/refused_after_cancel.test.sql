-- audio.complete_segment: refused (false) once the batch was cancelled: nothing of a cancelled
-- batch becomes playable, even if the worker's upload finished.
begin;
\ir ../fixtures.psql
select plan(6);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor');
select audio_test.add_word(2, 'lantern');
create temporary table t_a on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_b on commit drop as
  select * from audio_test.create_batch(array[2]);
create temporary table t_seg on commit drop as
  select s.batch_id, s.id, s.msg_id from public.audio_segments as s
  where s.batch_id in ((select batch_id from t_a), (select batch_id from t_b));
select audio.begin_attempt(s.id, s.msg_id, 'worker-' || s.id, 3, 60, 600) from t_seg as s order by s.id;

-- Batch A: cancelled with cancel_batch (segment swept to cancelled).
select audio.cancel_batch((select batch_id from t_a));
select is(audio.complete_segment((select id from t_seg where batch_id = (select batch_id from t_a)),
  (select msg_id from t_seg where batch_id = (select batch_id from t_a)), 'p/a.mp3', 10),
  false, 'complete after cancel_batch: false');
select results_eq(
  $$select status, storage_path from public.audio_segments where batch_id = (select batch_id from t_a)$$,
  $$values ('cancelled', null::text)$$, 'the segment stays cancelled, without an object');

-- Batch B: the cancel request is there but the segment is still generating (race with the sweep).
update public.audio_batches set cancel_requested_at = now() where id = (select batch_id from t_b);
select is(audio.complete_segment((select id from t_seg where batch_id = (select batch_id from t_b)),
  (select msg_id from t_seg where batch_id = (select batch_id from t_b)), 'p/b.mp3', 10),
  false, 'complete with a pending cancel request: false');
select is(
  (select status from public.audio_segments where batch_id = (select batch_id from t_b)), 'generating',
  'that segment is not marked done');

select is_empty(
  $$select 1 from public.word_audio where word_id in (audio_test.word_id(1), audio_test.word_id(2))$$,
  'no word_audio for cancelled work');
select is_empty(
  $$select 1 from audio.generated_audio where storage_path in ('p/a.mp3', 'p/b.mp3')$$,
  'no content recorded for cancelled work');

select * from finish();
rollback;
