-- audio.concurrency_limited: a concurrency 429 heard while 4 requests are in flight (the caller's
-- included) sets the limit to 3 at once, records when, takes the attempt back and tells the
-- caller to wait for a permit (no retry spent).
begin;
\ir ../fixtures.psql
select plan(6);

select audio_test.clear_work();
update audio.concurrency_limit set effective = null, limited_at = null, probed_at = null, pinned = false;

select audio_test.add_word(1, 'harbor');
create temporary table t_batch on commit drop as select * from audio_test.create_batch(array[1]);
create temporary table t_claim on commit drop as select * from audio.claim_segments(1, 30);
select is(
  (select outcome from audio.begin_attempt((select segment_id from t_claim), (select msg_id from t_claim), 'worker-a', 6, 60, 600)),
  'go', 'the caller holds a permit');
-- Three more requests of other workers in flight.
update audio.permits set holder = 'worker-b', segment_id = -slot, acquired_at = now(), expires_at = now() + interval '1 minute'
where slot between 2 and 4;

select results_eq(
  $$select waits, effective, in_flight from audio.concurrency_limited(1, 'worker-a', (select segment_id from t_claim), 6)$$,
  $$values (true, 3, 4)$$, 'waits; limit 4 - 1 = 3');
select results_eq(
  $$select effective, limited_at = now() from audio.concurrency_limit$$,
  $$values (3, true)$$, 'the learned limit is stored with the time');
select is(
  (select attempts from public.audio_segments where id = (select segment_id from t_claim)), 0,
  'the attempt is taken back: not a failed attempt');
select results_eq(
  $$select in_flight, limit_after from audio.concurrency_429s order by id desc limit 1$$,
  $$values (4, 3)$$, 'the 429 is recorded with the requests in flight');
select results_eq(
  $$select effective, ceiling, in_flight, limited_last_minute from audio.concurrency_report()$$,
  $$values (3, 6, 4, 1)$$, 'the report shows it');

select * from finish();
rollback;
