-- audio.begin_attempt records on the permit it takes the requests in flight then, this one
-- included (audio.permits.in_flight_at_take: what audio.concurrency_limited counts as N): 1 for
-- the first, 2 for the second while the first is held; an expired lease is not counted; the
-- count goes when the permit is given back.
begin;
\ir ../fixtures.psql
select plan(8);

select audio_test.clear_work();
update audio.concurrency_limit set effective = null, limited_at = null, probed_at = null, pinned = false;

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
create temporary table t_batch on commit drop as select * from audio_test.create_batch(array[1]);
create temporary table t_claim on commit drop as
  select row_number() over (order by segment_id) as n, * from audio.claim_segments(3, 30);

select results_eq(
  $$select outcome, slot from audio.begin_attempt((select segment_id from t_claim where n = 1), (select msg_id from t_claim where n = 1), 'worker-a', 6, 60, 600)$$,
  $$values ('go', 1)$$, 'first request: go on slot 1');
select is((select in_flight_at_take from audio.permits where slot = 1), 1::smallint, 'taken alone: 1');

select results_eq(
  $$select outcome, slot from audio.begin_attempt((select segment_id from t_claim where n = 2), (select msg_id from t_claim where n = 2), 'worker-b', 6, 60, 600)$$,
  $$values ('go', 2)$$, 'second request: go on slot 2');
select is((select in_flight_at_take from audio.permits where slot = 2), 2::smallint,
  'taken while the first is held: 2');

-- A dead worker's permit on slot 3 (its lease expired) is no request in flight.
update audio.permits set holder = 'worker-dead', segment_id = -3, acquired_at = now() - interval '2 minutes',
  expires_at = now() - interval '1 minute', in_flight_at_take = 3
where slot = 3;
select ok(audio.end_attempt(1, 'worker-a', (select segment_id from t_claim where n = 1)), 'the first request ends');
select results_eq(
  $$select slot, holder, in_flight_at_take from audio.permits where slot in (1, 2) order by slot$$,
  $$values (1::smallint, null::text, null::smallint), (2::smallint, 'worker-b', 2::smallint)$$,
  'the count goes with the freed permit; the held one keeps its own');
select results_eq(
  $$select outcome, slot from audio.begin_attempt((select segment_id from t_claim where n = 3), (select msg_id from t_claim where n = 3), 'worker-c', 6, 60, 600)$$,
  $$values ('go', 1)$$, 'third request: go on the freed slot 1');
select is((select in_flight_at_take from audio.permits where slot = 1), 2::smallint,
  'taken beside the second and an expired lease: 2 (the expired lease is not counted)');

select * from finish();
rollback;
