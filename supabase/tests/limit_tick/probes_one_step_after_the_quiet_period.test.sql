-- audio.limit_tick: a learned limit stays while concurrency 429s are recent; once none was heard
-- for the quiet period it probes one step up. The next step follows only when the requests in
-- flight filled the stepped-up limit for a second with no 429; a 429 starts the quiet period again.
begin;
\ir ../fixtures.psql
select plan(6);

select audio_test.clear_work();
update audio.concurrency_limit
set effective = 3, limited_at = now() - interval '299 seconds', probed_at = null, pinned = false;

select results_eq(
  $$select effective, changed from audio.limit_tick(6, 300, false)$$,
  $$values (3, false)$$, 'within the quiet period: no probe');

update audio.concurrency_limit set limited_at = now() - interval '301 seconds';
select results_eq(
  $$select effective, changed from audio.limit_tick(6, 300, false)$$,
  $$values (4, true)$$, 'quiet period over: one step up');
select results_eq(
  $$select effective from audio.limit_tick(6, 300, false)$$,
  $$values (4)$$, 'no second step while the new step is not filled');

-- Four requests in flight (the step used in full) for more than a second, no 429.
update audio.permits set holder = 'w', segment_id = -slot, acquired_at = now(), expires_at = now() + interval '1 minute'
where slot <= 4;
update audio.concurrency_limit set probed_at = now() - interval '2 seconds';
select results_eq(
  $$select effective from audio.limit_tick(6, 300, false)$$,
  $$values (5)$$, 'the step was taken without a 429: the next step');

-- A 429 now: the quiet period starts again.
select audio.concurrency_limited(4, 'w', -4, 6);
update audio.concurrency_limit set probed_at = now() - interval '2 seconds';
select results_eq(
  $$select effective from audio.limit_tick(6, 300, false)$$,
  $$values (3)$$, 'after a 429 with 4 in flight: 3, and no probe');
select is((select limited_last_minute from audio.limit_tick(6, 300, false)), 1, 'one 429 in the last minute');

select * from finish();
rollback;
