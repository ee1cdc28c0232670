-- audio.concurrency_limited: 429s heard together do not lower the limit one step each. Six
-- requests in flight on a plan of three: three are refused at once. Each counts the requests
-- still in flight when it is heard (the first ones to give their permits back lower the count),
-- so the limit lands on what the plan took, 3, and a late 429 heard while 4 were still in flight
-- leaves it there instead of taking it to 2.
begin;
\ir ../fixtures.psql
select plan(4);

select audio_test.clear_work();
update audio.concurrency_limit set effective = null, limited_at = null, probed_at = null, pinned = false;
update audio.permits set holder = 'worker-' || slot, segment_id = -slot, acquired_at = now(), expires_at = now() + interval '1 minute'
where slot <= 6;

-- Two 429s heard before either gives its permit back: 6 in flight for both.
select results_eq(
  $$select waits, effective from audio.concurrency_limited(6, 'worker-6', -6, 6)$$,
  $$values (true, 5)$$, 'first 429 with 6 in flight: 5');
select results_eq(
  $$select waits, effective from audio.concurrency_limited(5, 'worker-5', -5, 6)$$,
  $$values (true, 5)$$, 'second 429, still 6 in flight: stays 5, not 4');
select audio.release_permit(6, 'worker-6');
select audio.release_permit(5, 'worker-5');
-- The third refused request with 4 in flight, then a fourth heard with the same 4.
select results_eq(
  $$select effective from audio.concurrency_limited(4, 'worker-4', -4, 6)$$,
  $$values (3)$$, 'third 429 with 4 in flight: 3');
select results_eq(
  $$select effective from audio.concurrency_limited(3, 'worker-3', -3, 6)$$,
  $$values (3)$$, 'a 429 heard with the same 4 in flight leaves 3 (no step each)');

select * from finish();
rollback;
