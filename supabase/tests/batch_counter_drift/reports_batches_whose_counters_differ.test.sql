-- audio.batch_counter_drift: empty while the counters follow the rows; a batch whose counter was
-- changed behind the triggers' back is reported with both sides.
begin;
\ir ../fixtures.psql
select plan(3);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
select is_empty('select * from audio.batch_counter_drift()', 'a new batch: no drift');

-- Behind the triggers' back: a row removed without its trigger, and a counter bumped.
alter table public.audio_segments disable trigger audio_segments_count_deletes;
delete from public.audio_segments where batch_id = (select batch_id from t_batch) and kind = 'word';
alter table public.audio_segments enable trigger audio_segments_count_deletes;
update public.audio_batches set failed = 1 where id = (select batch_id from t_batch);

select results_eq(
  $$select batch_id, total, rows_total, failed, rows_failed from audio.batch_counter_drift()$$,
  $$select batch_id, 2, 1, 1, 0 from t_batch$$, 'the batch is reported with counters and rows');
select is((select count(*)::integer from audio.batch_counter_drift() where done <> rows_done), 0,
  'counters that agree are reported equal');

select * from finish();
rollback;
