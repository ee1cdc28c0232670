-- audio.end_and_begin: the attempt that answered ends (cleared for upload) and the next segment
-- begins on the permit it gave back, in one call; a next segment that may not go (the circuit
-- opened meanwhile) leaves the permit free; a cancelled batch's segment is not live.
begin;
\ir ../fixtures.psql
select plan(8);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor');
select audio_test.add_word(2, 'lantern');
select audio_test.add_word(3, 'meadow');
select * from audio_test.create_batch(array[1, 2, 3], array['word']);
create temporary table t_claim on commit drop as
  select * from audio.claim_gated(3, 30, 5, 'worker-a', 60) order by segment_id;
create temporary table t_seg on commit drop as
  select row_number() over (order by segment_id) as n, segment_id, msg_id from t_claim;

-- Slot 1 is another worker's, so the first segment gets slot 2.
update audio.permits set holder = 'worker-b', segment_id = -1, expires_at = now() + interval '60 seconds'
where slot = 1;
select results_eq(
  $$select outcome, slot from audio.begin_gated_attempt((select segment_id from t_seg where n = 1),
    (select msg_id from t_seg where n = 1), 'worker-a', 3, 60, 600)$$,
  $$values ('go'::text, 2)$$,
  'the first segment begins on slot 2');

select results_eq(
  $$select live, outcome, slot from audio.end_and_begin(2, 'worker-a', (select segment_id from t_seg where n = 1), true,
    (select segment_id from t_seg where n = 2), (select msg_id from t_seg where n = 2), 3, 60, 600)$$,
  $$values (true, 'go'::text, 2)$$,
  'live, and the next segment goes on the same slot');
select results_eq(
  $$select holder, segment_id from audio.permits where slot = 2$$,
  $$select 'worker-a'::text, segment_id from t_seg where n = 2$$,
  'the permit now covers the next segment');
select isnt(
  (select upload_started_at from public.audio_segments where id = (select segment_id from t_seg where n = 1)),
  null,
  'the finished segment is cleared for upload');
select results_eq(
  $$select status, attempts from public.audio_segments where id = (select segment_id from t_seg where n = 2)$$,
  $$values ('generating'::text, 1)$$,
  'the next segment is generating with its attempt counted');

select audio.open_circuit('the provider account is out of credits', 'Cartesia answered 402', 30);
select results_eq(
  $$select live, outcome, slot from audio.end_and_begin(2, 'worker-a', (select segment_id from t_seg where n = 2), true,
    (select segment_id from t_seg where n = 3), (select msg_id from t_seg where n = 3), 3, 60, 600)$$,
  $$values (true, 'circuit_open'::text, null::integer)$$,
  'the circuit open: the next segment may not go');
select results_eq(
  $$select holder from audio.permits where slot = 2$$,
  $$values (null::text)$$,
  'and the permit is free again');

select audio.close_circuit('test');
select outcome from audio.begin_gated_attempt((select segment_id from t_seg where n = 3),
  (select msg_id from t_seg where n = 3), 'worker-a', 3, 60, 600);
select audio.cancel_batch((select batch_id from public.audio_segments where id = (select segment_id from t_seg where n = 3)));
select is(
  (select live from audio.end_and_begin(2, 'worker-a', (select segment_id from t_seg where n = 3), true,
    (select segment_id from t_seg where n = 1), (select msg_id from t_seg where n = 1), 3, 60, 600)),
  false,
  'a cancelled batch''s segment is not live');

select * from finish();
rollback;
