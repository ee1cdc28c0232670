-- audio.cancelled_batches: of the batches a worker is working on, the ones cancelled since.
begin;
\ir ../fixtures.psql
select plan(2);

select audio_test.add_word(1, 'harbor');
select audio_test.add_word(2, 'lantern');
create temporary table t_a on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_b on commit drop as
  select * from audio_test.create_batch(array[2]);

select is_empty(
  $$select * from audio.cancelled_batches(array[(select batch_id from t_a), (select batch_id from t_b)])$$,
  'none cancelled yet');

select audio.cancel_batch((select batch_id from t_a));
select results_eq(
  $$select * from audio.cancelled_batches(array[(select batch_id from t_a), (select batch_id from t_b),
    '99000000-0000-4000-8000-0000000000ff'::uuid])$$,
  $$select batch_id from t_a$$,
  'only the cancelled batch (unknown ids are ignored)');

select * from finish();
rollback;
