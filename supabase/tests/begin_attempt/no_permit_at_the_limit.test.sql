-- audio.begin_attempt, outcome no_permit: with limit 2 and two attempts in flight, a third caller
-- gets no permit (and nothing changes for its segment) until a slot is given back.
begin;
\ir ../fixtures.psql
select plan(8);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_claim on commit drop as
  select row_number() over (order by segment_id) as n, * from audio.claim_segments(3, 30);

select results_eq(
  $$select outcome, slot from audio.begin_attempt((select segment_id from t_claim where n = 1), (select msg_id from t_claim where n = 1), 'worker-a', 2, 60, 600)$$,
  $$values ('go', 1)$$, 'first caller: go on slot 1');
select results_eq(
  $$select outcome, slot from audio.begin_attempt((select segment_id from t_claim where n = 2), (select msg_id from t_claim where n = 2), 'worker-b', 2, 60, 600)$$,
  $$values ('go', 2)$$, 'second caller: go on slot 2');
select results_eq(
  $$select outcome, slot from audio.begin_attempt((select segment_id from t_claim where n = 3), (select msg_id from t_claim where n = 3), 'worker-c', 2, 60, 600)$$,
  $$values ('no_permit', null::integer)$$, 'third caller: no_permit');

select results_eq(
  $$select status, attempts from public.audio_segments where id = (select segment_id from t_claim where n = 3)$$,
  $$values ('queued', 0)$$, 'no_permit changes nothing: still queued, attempts 0');
select is(
  (select holder from audio.permits where slot = 3), null,
  'slot 3 exists but is above the limit and stays free');
select is(
  (select count(*)::integer from audio.permits where holder is not null), 2, 'two permits held: the limit');

select ok(audio.end_attempt(1, 'worker-a', (select segment_id from t_claim where n = 1)), 'worker-a gives slot 1 back');
select results_eq(
  $$select outcome, slot from audio.begin_attempt((select segment_id from t_claim where n = 3), (select msg_id from t_claim where n = 3), 'worker-c', 2, 60, 600)$$,
  $$values ('go', 1)$$, 'now the third caller gets slot 1');

select * from finish();
rollback;
