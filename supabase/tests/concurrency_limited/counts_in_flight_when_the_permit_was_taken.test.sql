-- audio.concurrency_limited counts N as the provider did when the refused request arrived: the
-- greater of the requests in flight when its permit was taken and those in flight now. A burst on
-- a plan of three: requests 1-3 are accepted, the 4th (taken while 3 were held) is refused, and
-- request 2 ends before the 4th's 429 is handled. Counted at handling, N would be 3 and the limit
-- 2, one below the plan; counted at the take it is 4 and the limit 3. The other way round, a
-- permit taken by another worker at the same moment (not counted at the take) is counted now.
begin;
\ir ../fixtures.psql
select plan(8);

select audio_test.clear_work();
update audio.concurrency_limit set effective = null, limited_at = null, probed_at = null, pinned = false;

select audio_test.add_word(1, 'harbor');
select audio_test.add_word(2, 'meadow');
select audio_test.add_word(3, 'lantern');
select audio_test.add_word(4, 'compass');
create temporary table t_batch on commit drop as select * from audio_test.create_batch(array[1, 2, 3, 4]);
create temporary table t_claim on commit drop as
  select row_number() over (order by segment_id) as n, * from audio.claim_segments(4, 30);

-- Three requests sent, one after the other, then a 4th while the 3 are in flight.
create temporary table t_begun on commit drop as
  select 1 as n, a.* from audio.begin_attempt((select segment_id from t_claim where n = 1), (select msg_id from t_claim where n = 1), 'worker-1', 6, 60, 600) as a;
insert into t_begun
  select 2, a.* from audio.begin_attempt((select segment_id from t_claim where n = 2), (select msg_id from t_claim where n = 2), 'worker-2', 6, 60, 600) as a;
insert into t_begun
  select 3, a.* from audio.begin_attempt((select segment_id from t_claim where n = 3), (select msg_id from t_claim where n = 3), 'worker-3', 6, 60, 600) as a;
select results_eq(
  $$select outcome, slot from t_begun order by n$$,
  $$values ('go', 1), ('go', 2), ('go', 3)$$, 'three requests sent');
select results_eq(
  $$select outcome, slot from audio.begin_attempt((select segment_id from t_claim where n = 4), (select msg_id from t_claim where n = 4), 'worker-4', 6, 60, 600)$$,
  $$values ('go', 4)$$, 'a 4th sent while the 3 are in flight');
select results_eq(
  $$select in_flight_at_take from audio.permits where slot = 4$$,
  $$values (4::smallint)$$, 'the 4th was taken with 3 others held');

-- Request 2 was accepted and ends before the 4th's 429 is handled: 3 in flight now.
select ok(audio.end_attempt(2, 'worker-2', (select segment_id from t_claim where n = 2)), 'request 2 ends');
select is(audio.permits_in_flight(), 3, '3 in flight when the 429 is handled');

select results_eq(
  $$select waits, effective, in_flight
    from audio.concurrency_limited(4, 'worker-4', (select segment_id from t_claim where n = 4), 6)$$,
  $$values (true, 3, 4)$$, 'N = 4 (in flight at the take): the limit is the plan''s 3, not 2');
select results_eq(
  $$select (select effective from audio.concurrency_limit), e.in_flight, e.limit_after
    from audio.concurrency_429s as e order by e.id desc limit 1$$,
  $$values (3, 4, 3)$$, 'learned 3; the 429 is recorded with 4 in flight');

-- Request 1 was taken alone (count 1 at the take); three permits appeared beside it since, one of
-- them taken at the same moment: the count now (4) is the greater.
update audio.permits set holder = 'worker-x', segment_id = -slot, acquired_at = now(),
  expires_at = now() + interval '1 minute', in_flight_at_take = null
where slot = 5;
update audio.concurrency_limit set effective = null;
select results_eq(
  $$select waits, effective, in_flight
    from audio.concurrency_limited(1, 'worker-1', (select segment_id from t_claim where n = 1), 6)$$,
  $$values (true, 3, 4)$$, 'taken with 1 in flight, 4 in flight now: N = 4');

select * from finish();
rollback;
