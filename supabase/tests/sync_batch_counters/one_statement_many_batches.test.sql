-- Trigger audio.sync_batch_counters is per statement: one update touching segments of several
-- batches folds each batch's changes into that batch only.
begin;
\ir ../fixtures.psql
select plan(3);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.add_word(2, 'lantern', 'A lamp with a case.');
select audio_test.add_word(3, 'echo');
create temporary table t_a on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_b on commit drop as
  select * from audio_test.create_batch(array[2]);
create temporary table t_c on commit drop as
  select * from audio_test.create_batch(array[3]);

update public.audio_segments set status = 'done'
where batch_id in ((select batch_id from t_a), (select batch_id from t_b)) and kind in ('word', 'definition');

select results_eq(
  $$select status, done from public.audio_batches where id = (select batch_id from t_a)$$,
  $$values ('running', 2)$$, 'batch A: two of three done');
select results_eq(
  $$select status, done from public.audio_batches where id = (select batch_id from t_b)$$,
  $$values ('completed', 2)$$, 'batch B: both done, completed');
select results_eq(
  $$select status, done, total from public.audio_batches where id = (select batch_id from t_c)$$,
  $$values ('queued', 0, 1)$$, 'batch C, untouched by the statement, is unchanged');

select * from finish();
rollback;
