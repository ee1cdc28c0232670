-- audio.concurrency_limited with the limit pinned: the 429 is recorded but the limit stays and the
-- caller backs off like for any 429 (waits false, the attempt counts).
begin;
\ir ../fixtures.psql
select plan(2);

select audio_test.clear_work();
update audio.concurrency_limit set effective = null, limited_at = null, probed_at = null, pinned = true;
update audio.permits set holder = 'worker-' || slot, segment_id = -slot, acquired_at = now(), expires_at = now() + interval '1 minute'
where slot <= 4;

select results_eq(
  $$select waits, effective, in_flight from audio.concurrency_limited(4, 'worker-4', -4, 4, true)$$,
  $$values (false, 4, 4)$$, 'pinned: no wait, the limit stays 4');
select results_eq(
  $$select effective, (select count(*)::integer from audio.concurrency_429s where at = now()) from audio.concurrency_limit$$,
  $$values (null::integer, 1)$$, 'nothing learned, the 429 still recorded');

select * from finish();
rollback;
