-- audio.end_attempt: gives the permit back as soon as the provider answered (only the holder's
-- own slot), and says the segment is still live.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_claim on commit drop as select * from audio.claim_segments(1, 30);
create temporary table t_go on commit drop as
  select * from audio.begin_attempt((select segment_id from t_claim), (select msg_id from t_claim), 'worker-a', 1, 60, 600);

select is(audio.end_attempt(1, 'someone-else', (select segment_id from t_claim)), true,
  'a stranger''s end_attempt still reports the segment live');
select is((select holder from audio.permits where slot = 1), 'worker-a',
  'but does not free a slot it does not hold');

select is(audio.end_attempt((select slot from t_go), 'worker-a', (select segment_id from t_claim)), true,
  'the holder ends its attempt: the segment is live, upload may go ahead');
select results_eq(
  $$select holder, segment_id, acquired_at, expires_at from audio.permits where slot = 1$$,
  $$values (null::text, null::bigint, null::timestamptz, null::timestamptz)$$,
  'slot 1 is free again');

select is(
  (select status from public.audio_segments where id = (select segment_id from t_claim)), 'generating',
  'the segment stays generating until complete_segment or fail_segment');

select * from finish();
rollback;
