-- Trigger audio.sync_batch_counters on public.audio_segments: a batch goes queued -> running when
-- a segment starts, counts done segments, and is completed with finished_at when all are done.
begin;
\ir ../fixtures.psql
select plan(6);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);

select results_eq(
  $$select status, total, done, started_at is null, finished_at is null from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('queued', 3, 0, true, true)$$, 'a new batch is queued');

update public.audio_segments set status = 'generating' where batch_id = (select batch_id from t_batch) and kind = 'word';
select results_eq(
  $$select status, started_at is not null, done from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('running', true, 0)$$, 'a segment generating: running, started_at set');

update public.audio_segments set status = 'done' where batch_id = (select batch_id from t_batch) and kind = 'word';
select results_eq(
  $$select status, done, finished_at is null from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('running', 1, true)$$, 'one done of three: running, not finished');

-- Touching a segment without changing its status counts nothing.
update public.audio_segments set updated_at = now() where batch_id = (select batch_id from t_batch) and kind = 'word';
select is((select done from public.audio_batches where id = (select batch_id from t_batch)), 1,
  'an update that does not change status is not counted again');

-- The last two in one statement.
update public.audio_segments set status = 'done' where batch_id = (select batch_id from t_batch) and kind <> 'word';
select results_eq(
  $$select status, done, failed, cancelled, finished_at is not null from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('completed', 3, 0, 0, true)$$, 'all done: completed with finished_at');

-- A batch whose first finished segment was reused (no generating step) is running too.
select audio_test.add_word(2, 'lantern', 'A lamp with a case.');
create temporary table t_second on commit drop as
  select * from audio_test.create_batch(array[2]);
update public.audio_segments set status = 'done', reused = true where batch_id = (select batch_id from t_second) and kind = 'word';
select results_eq(
  $$select status, done, skipped from public.audio_batches where id = (select batch_id from t_second)$$,
  $$values ('running', 1, 1)$$, 'done without generating: running, counted in done and skipped');

select * from finish();
rollback;
