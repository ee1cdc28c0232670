-- audio.cancel_batch: only the named batch is cancelled; other batches keep their segments,
-- messages and status.
begin;
\ir ../fixtures.psql
select plan(4);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.add_word(2, 'lantern', 'A lamp with a case.', 'She lit the lantern.');
create temporary table t_a on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_b on commit drop as
  select * from audio_test.create_batch(array[2]);

select is(audio.cancel_batch((select batch_id from t_a)), 'cancelled', 'batch A cancelled');

select results_eq(
  $$select status, cancelled, cancel_requested_at is null, finished_at is null from public.audio_batches where id = (select batch_id from t_b)$$,
  $$values ('queued', 0, true, true)$$, 'batch B is still queued, no cancel request');
select is(
  (select count(*)::integer from public.audio_segments where batch_id = (select batch_id from t_b) and status = 'queued'),
  3, 'batch B''s segments are still queued');
select is(
  (select count(*)::integer from pgmq.q_audio_segments as q
   join public.audio_segments as s on s.msg_id = q.msg_id where s.batch_id = (select batch_id from t_b)),
  3, 'batch B''s messages are still in the queue');

select * from finish();
rollback;
