-- audio.complete_segment: done once. A second call (redelivered message) returns false and
-- counts nothing twice; the content is recorded and the message deleted.
begin;
\ir ../fixtures.psql
select plan(8);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_claim on commit drop as select * from audio.claim_segments(1, 30);
select audio.begin_attempt((select segment_id from t_claim), (select msg_id from t_claim), 'worker-a', 3, 60, 600);
select audio.end_attempt(1, 'worker-a', (select segment_id from t_claim));

select is(audio.complete_segment((select segment_id from t_claim), (select msg_id from t_claim), 'voice-test/model-test/mp3/h.mp3', 4096),
  true, 'first completion: true');

select results_eq(
  $$select status, storage_path, bytes, reused, last_error, finished_at is not null
    from public.audio_segments where id = (select segment_id from t_claim)$$,
  $$values ('done', 'voice-test/model-test/mp3/h.mp3', 4096, false, null::text, true)$$,
  'the segment is done with its object');
select is_empty('select 1 from pgmq.q_audio_segments where msg_id = (select msg_id from t_claim)', 'its message is deleted');
select results_eq(
  $$select storage_path, bytes from audio.generated_audio
    where text_hash = audio.text_hash('harbor') and voice_id = 'voice-test' and model_id = 'model-test' and format = 'mp3'$$,
  $$values ('voice-test/model-test/mp3/h.mp3', 4096)$$,
  'the content is recorded in audio.generated_audio');

select results_eq(
  $$select done, skipped, status from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values (1, 0, 'running')$$, 'the batch counts one done and is still running');

select is(audio.complete_segment((select segment_id from t_claim), (select msg_id from t_claim), 'voice-test/model-test/mp3/other.mp3', 1),
  false, 'a second completion: false');
select results_eq(
  $$select done, skipped from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values (1, 0)$$, 'and nothing is counted twice');
select is(
  (select storage_path from public.audio_segments where id = (select segment_id from t_claim)),
  'voice-test/model-test/mp3/h.mp3', 'and the first object stays');

select * from finish();
rollback;
