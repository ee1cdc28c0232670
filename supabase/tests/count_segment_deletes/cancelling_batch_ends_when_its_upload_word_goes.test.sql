-- Trigger audio.count_segment_deletes on a cancelled batch: the batch waits (cancelling) for an
-- upload cleared before the cancel; when that segment's word is deleted instead, the batch turns
-- cancelled rather than waiting for good.
begin;
\ir ../fixtures.psql
select plan(3);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor');
select audio_test.add_word(2, 'lantern');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1, 2]);

update public.audio_segments set status = 'generating', upload_started_at = now()
where batch_id = (select batch_id from t_batch) and word_id = audio_test.word_id(1);
select is(audio.cancel_batch((select batch_id from t_batch)), 'cancelling',
  'cancel with an upload under way: cancelling');

delete from public.words where id = audio_test.word_id(1);
select results_eq(
  $$select status, total, cancelled, finished_at is not null from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('cancelled', 1, 1, true)$$, 'the uploading segment''s word deleted: the batch is cancelled');
select is_empty('select * from audio.batch_counter_drift()', 'counters equal the rows');

select * from finish();
rollback;
