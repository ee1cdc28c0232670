-- audio.create_batch: content already generated (same text hash, voice, model, format in
-- audio.generated_audio) is reused at once: segment done and reused, counted in skipped and done,
-- no queue message, and word_audio points at the existing object.
begin;
\ir ../fixtures.psql
select plan(11);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.add_word(2, 'harbor');

insert into audio.generated_audio (text_hash, voice_id, model_id, format, storage_path, bytes)
values (audio.text_hash('harbor'), 'voice-test', 'model-test', 'mp3', 'voice-test/model-test/mp3/harbor.mp3', 1234);

create temporary table t_batch on commit drop as
  select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');

select results_eq('select total, queued, skipped from t_batch', $$values (3, 2, 1)$$,
  'returns total 3, queued 2, skipped 1');

select results_eq(
  $$select status, reused, storage_path, bytes, msg_id is null, finished_at is not null
    from public.audio_segments where batch_id = (select batch_id from t_batch) and kind = 'word'$$,
  $$values ('done', true, 'voice-test/model-test/mp3/harbor.mp3', 1234, true, true)$$,
  'the word segment is done, reused, points at the existing object, has no message');

select is_empty(
  $$select 1 from pgmq.q_audio_segments as q
    join public.audio_segments as s on (q.message ->> 'segment_id')::bigint = s.id
    where s.batch_id = (select batch_id from t_batch) and s.kind = 'word'$$,
  'no queue message for the reused segment');

select is(
  (select count(*)::integer from pgmq.q_audio_segments as q
   join public.audio_segments as s on (q.message ->> 'segment_id')::bigint = s.id
   where s.batch_id = (select batch_id from t_batch)),
  2, 'messages only for the two segments that need the provider');

select results_eq(
  $$select status, total, done, skipped, failed from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('queued', 3, 1, 1, 0)$$,
  'batch counts the reused segment in done and skipped and is still queued');

select results_eq(
  $$select wa.storage_path, wa.bytes, wa.text_hash, wa.segment_id from public.word_audio as wa
    where wa.word_id = audio_test.word_id(1) and wa.kind = 'word'$$,
  $$select 'voice-test/model-test/mp3/harbor.mp3'::text, 1234, audio.text_hash('harbor'), s.id
    from public.audio_segments as s where s.batch_id = (select batch_id from t_batch) and s.kind = 'word'$$,
  'word_audio points the word at the existing object and the reusing segment');

select is_empty(
  $$select 1 from public.word_audio where word_id = audio_test.word_id(1) and kind <> 'word'$$,
  'no word_audio for segments still to generate');

-- A batch that only needs content that exists: complete at once.
create temporary table t_all_reused on commit drop as
  select * from audio.create_batch(p_word_ids => array[audio_test.word_id(2)],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');

select results_eq('select total, queued, skipped from t_all_reused', $$values (1, 0, 1)$$,
  'identical text in another word is reused too');

select results_eq(
  $$select status, done, skipped, finished_at is not null from public.audio_batches where id = (select batch_id from t_all_reused)$$,
  $$values ('completed', 1, 1, true)$$,
  'a batch with nothing to generate is completed with finished_at at creation');

select is(
  (select storage_path from public.word_audio where word_id = audio_test.word_id(2) and kind = 'word'),
  'voice-test/model-test/mp3/harbor.mp3', 'the other word plays the same object');

create temporary table t_other_format on commit drop as
  select * from audio.create_batch(p_word_ids => array[audio_test.word_id(2)],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'wav');
select results_eq('select total, queued, skipped from t_other_format', $$values (1, 1, 0)$$,
  'content in another format is not reused');

select * from finish();
rollback;
