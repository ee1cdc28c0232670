-- Storage: the bucket the worker uploads to exists and is private.
begin;
\ir ../fixtures.psql
select plan(1);

select results_eq(
  $$select name, public from storage.buckets where id = 'word-audio'$$,
  $$values ('word-audio', false)$$,
  'bucket word-audio exists and is not public');

select * from finish();
rollback;
