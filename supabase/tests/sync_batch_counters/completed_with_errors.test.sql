-- Trigger audio.sync_batch_counters: failed and cancelled segments are counted; a batch whose
-- segments all finished with at least one failure is completed_with_errors.
begin;
\ir ../fixtures.psql
select plan(3);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);

update public.audio_segments set status = 'failed', last_error = 'x' where batch_id = (select batch_id from t_batch) and kind = 'word';
select results_eq(
  $$select status, failed, finished_at is null from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('running', 1, true)$$, 'a failure with work left: running');

update public.audio_segments set status = 'cancelled' where batch_id = (select batch_id from t_batch) and kind = 'definition';
update public.audio_segments set status = 'done' where batch_id = (select batch_id from t_batch) and kind = 'sentence';
select results_eq(
  $$select status, done, failed, cancelled, finished_at is not null from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('completed_with_errors', 1, 1, 1, true)$$, 'all finished, one failed: completed_with_errors');

-- Counters follow a status moving back (an operator re-queues the failed segment).
update public.audio_segments set status = 'queued' where batch_id = (select batch_id from t_batch) and kind = 'word';
select results_eq(
  $$select status, failed, finished_at is null from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('running', 0, true)$$, 're-queued: the failure is uncounted and the batch is running again');

select * from finish();
rollback;
