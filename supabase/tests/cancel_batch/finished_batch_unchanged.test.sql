-- audio.cancel_batch: a batch that already finished (completed, completed_with_errors) is left as
-- it is; the call returns its status.
begin;
\ir ../fixtures.psql
select plan(4);

select audio_test.add_word(1, 'harbor');
select audio_test.add_word(2, 'lantern');
create temporary table t_a on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_b on commit drop as
  select * from audio_test.create_batch(array[2]);
select audio.complete_segment(s.id, s.msg_id, 'p/a.mp3', 10) from public.audio_segments as s where s.batch_id = (select batch_id from t_a);
select audio.fail_segment(s.id, s.msg_id, 'boom') from public.audio_segments as s where s.batch_id = (select batch_id from t_b);

select is(audio.cancel_batch((select batch_id from t_a)), 'completed', 'a completed batch: returns completed');
select results_eq(
  $$select status, cancel_requested_at is null, done, cancelled from public.audio_batches where id = (select batch_id from t_a)$$,
  $$values ('completed', true, 1, 0)$$, 'and stays completed, without a cancel request');

select is(audio.cancel_batch((select batch_id from t_b)), 'completed_with_errors', 'completed_with_errors: returned as is');
select results_eq(
  $$select status, cancel_requested_at is null from public.audio_batches where id = (select batch_id from t_b)$$,
  $$values ('completed_with_errors', true)$$, 'and unchanged');

select * from finish();
rollback;
