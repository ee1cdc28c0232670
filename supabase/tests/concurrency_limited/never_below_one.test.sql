-- audio.concurrency_limited: the limit never goes below 1. A 429 heard while this request was the
-- only one in flight teaches nothing: the limit stays, the attempt counts and the caller backs off
-- like for any 429. With two in flight the limit goes to 1.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();
update audio.concurrency_limit set effective = null, limited_at = null, probed_at = null, pinned = false;

select audio_test.add_word(1, 'harbor');
create temporary table t_batch on commit drop as select * from audio_test.create_batch(array[1]);
create temporary table t_claim on commit drop as select * from audio.claim_segments(1, 30);
select is(
  (select outcome from audio.begin_attempt((select segment_id from t_claim), (select msg_id from t_claim), 'worker-a', 3, 60, 600)),
  'go', 'the caller holds the only permit in use');

select results_eq(
  $$select waits, effective, in_flight from audio.concurrency_limited(1, 'worker-a', (select segment_id from t_claim), 3)$$,
  $$values (false, 3, 1)$$, 'alone in flight: no wait, the limit stays at the ceiling');
select results_eq(
  $$select effective, (select attempts from public.audio_segments where id = (select segment_id from t_claim))
    from audio.concurrency_limit$$,
  $$values (null::integer, 1)$$, 'nothing learned; the attempt counts');

update audio.permits set holder = 'worker-b', segment_id = -2, acquired_at = now(), expires_at = now() + interval '1 minute'
where slot = 2;
select results_eq(
  $$select waits, effective from audio.concurrency_limited(1, 'worker-a', (select segment_id from t_claim), 3)$$,
  $$values (true, 1)$$, 'two in flight: the limit goes to 1');
select results_eq(
  $$select waits, effective from audio.concurrency_limited(1, 'worker-a', (select segment_id from t_claim), 3)$$,
  $$values (true, 1)$$, 'another 429 with two in flight keeps it at 1, never 0');

select * from finish();
rollback;
