-- audio.cancel_batch: an id that names no batch is an error (P0002) that says so.
begin;
\ir ../fixtures.psql
select plan(1);

select throws_ok(
  $$select audio.cancel_batch('99000000-0000-4000-8000-0000000000ff')$$,
  'P0002', 'audio.cancel_batch: no batch with id 99000000-0000-4000-8000-0000000000ff',
  'unknown batch id: no_data_found naming the id');

select * from finish();
rollback;
