-- audio.cancel_batch: queued and generating segments become cancelled at once, their messages are
-- deleted, done segments stay done, and the batch ends cancelled with cancel_requested_at set.
begin;
\ir ../fixtures.psql
select plan(8);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_seg on commit drop as
  select id, kind, msg_id from public.audio_segments where batch_id = (select batch_id from t_batch);

-- word: done; definition: generating (a provider request in flight); sentence: queued.
select audio.complete_segment((select id from t_seg where kind = 'word'), (select msg_id from t_seg where kind = 'word'), 'p/w.mp3', 10);
select audio.begin_attempt((select id from t_seg where kind = 'definition'), (select msg_id from t_seg where kind = 'definition'),
  'worker-a', 3, 60, 600);

select is(audio.cancel_batch((select batch_id from t_batch)), 'cancelled', 'returns the new status, cancelled');

select results_eq(
  $$select kind, status from public.audio_segments where batch_id = (select batch_id from t_batch)
    order by array_position(array['word', 'definition', 'sentence'], kind)$$,
  $$values ('word', 'done'), ('definition', 'cancelled'), ('sentence', 'cancelled')$$,
  'generating and queued segments are cancelled; the done one stays done');
select is(
  (select count(*)::integer from public.audio_segments
   where batch_id = (select batch_id from t_batch) and status = 'cancelled' and finished_at is not null),
  2, 'cancelled segments have finished_at');
select is_empty(
  $$select 1 from pgmq.q_audio_segments where msg_id in (select msg_id from t_seg)$$,
  'no message of the batch is left in the queue');
select is_empty(
  $$select 1 from pgmq.a_audio_segments where msg_id in (select msg_id from t_seg)$$,
  'cancelled messages are deleted, not archived');
select results_eq(
  $$select status, done, cancelled, failed, cancel_requested_at is not null, finished_at is not null
    from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('cancelled', 1, 2, 0, true, true)$$,
  'the batch: cancelled, done 1, cancelled 2, cancel_requested_at and finished_at set');

select is(audio.cancel_batch((select batch_id from t_batch)), 'cancelled', 'cancelling again is harmless');
select is((select cancelled from public.audio_batches where id = (select batch_id from t_batch)), 2,
  'and counts nothing twice');

select * from finish();
rollback;
