-- audio.end_attempt with p_will_upload, then a cancel: the segment whose audio arrived before the
-- cancel was cleared for upload in the same statement that checked the batch, so cancel_batch
-- leaves it to finish (the batch is cancelling, not cancelled), complete_segment still succeeds,
-- and then the batch ends cancelled with that segment done and the rest cancelled.
begin;
\ir ../fixtures.psql
select plan(6);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor', 'a sheltered place for ships');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_claim on commit drop as
  select row_number() over (order by segment_id) as n, * from audio.claim_segments(2, 300);

-- Segment 1: its request came back with audio, cleared for upload before the cancel.
select results_eq(
  $$select outcome, slot from audio.begin_attempt((select segment_id from t_claim where n = 1),
    (select msg_id from t_claim where n = 1), 'worker-a', 3, 60, 600)$$,
  $$values ('go', 1)$$, 'segment 1 goes');
select is(
  audio.end_attempt(1, 'worker-a', (select segment_id from t_claim where n = 1), p_will_upload => true),
  true, 'end_attempt clears the audio that arrived for upload');

select is(
  audio.cancel_batch((select batch_id from t_batch)), 'cancelling',
  'cancel_batch answers cancelling: an upload it must let finish is under way');
select results_eq(
  $$select status from public.audio_segments where batch_id = (select batch_id from t_batch) order by id$$,
  $$values ('generating'), ('cancelled')$$,
  'the uploading segment is left alone, the queued one is cancelled');

select is(
  audio.complete_segment((select segment_id from t_claim where n = 1), (select msg_id from t_claim where n = 1),
    'voice-test/model-test/mp3/harbor.mp3', 1234),
  true, 'complete_segment still succeeds for the upload that started before the cancel');

select results_eq(
  $$select status, done, cancelled, total from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('cancelled', 1, 1, 2)$$,
  'then the batch ends cancelled: one done, one cancelled');

select * from finish();
rollback;
