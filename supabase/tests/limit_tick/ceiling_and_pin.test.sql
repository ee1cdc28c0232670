-- audio.limit_tick: a probe never goes above the ceiling (the limit then stands at the ceiling:
-- null), a ceiling set at or below the learned limit is the limit, and a pinned limit is the
-- ceiling whatever was learned.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();
update audio.concurrency_limit
set effective = 5, limited_at = now() - interval '10 minutes', probed_at = null, pinned = false;

select results_eq(
  $$select effective, ceiling from audio.limit_tick(6, 300, false)$$,
  $$values (6, 6)$$, 'a step to the ceiling');
select is((select effective from audio.concurrency_limit), null, 'at the ceiling: nothing learned is kept');
select is((select effective from audio.limit_tick(6, 300, false)), 6, 'no step above the ceiling');

update audio.concurrency_limit set effective = 4, limited_at = now(), probed_at = null;
select is((select effective from audio.limit_tick(3, 300, false)), 3, 'a ceiling below the learned limit is the limit');

update audio.concurrency_limit set effective = 2, limited_at = now(), probed_at = null;
select results_eq(
  $$select effective, pinned from audio.limit_tick(4, 300, true)$$,
  $$values (4, true)$$, 'pinned: the ceiling, at once');

select * from finish();
rollback;
