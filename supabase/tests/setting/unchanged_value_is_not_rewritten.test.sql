-- audio.set_setting: storing the value a key already has writes nothing (start-batch stores its
-- defaults on every request), so updated_at says when the value last changed.
begin;
\ir ../fixtures.psql
select plan(3);

select audio.set_setting('test_only_key', 'first');
update audio.config set updated_at = '2000-01-01' where key = 'test_only_key';
create temporary table t_before on commit drop as
  select ctid::text as row_version from audio.config where key = 'test_only_key';

select audio.set_setting('test_only_key', 'first');
select is((select updated_at from audio.config where key = 'test_only_key'), '2000-01-01'::timestamptz,
  'the same value again: updated_at unchanged');
select is((select ctid::text from audio.config where key = 'test_only_key'), (select row_version from t_before),
  'and the row was not rewritten');

select audio.set_setting('test_only_key', 'second');
select ok((select updated_at > '2000-01-01' from audio.config where key = 'test_only_key'),
  'a new value moves updated_at');

select * from finish();
rollback;
