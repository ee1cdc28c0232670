-- audio.create_batch with missing_only: segments whose audio is current are left out; a segment
-- whose text changed since its audio was made (stale hash) is queued again.
begin;
\ir ../fixtures.psql
select plan(6);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');

-- Audio for all three kinds, made when the definition read differently.
insert into public.word_audio (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes) values
  (audio_test.word_id(1), 'word', audio.text_hash('harbor'), 'voice-test', 'model-test', 'mp3', 'p/word.mp3', 10),
  (audio_test.word_id(1), 'definition', audio.text_hash('A port.'), 'voice-test', 'model-test', 'mp3', 'p/def-old.mp3', 10),
  (audio_test.word_id(1), 'sentence', audio.text_hash('The boat rested in the harbor.'), 'voice-test', 'model-test', 'mp3', 'p/sent.mp3', 10);

create temporary table t_batch on commit drop as
  select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_missing_only => true, p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');

select results_eq('select total, queued from t_batch', $$values (1, 1)$$,
  'only the stale segment is in the batch');

select results_eq(
  $$select kind, text_hash, status from public.audio_segments where batch_id = (select batch_id from t_batch)$$,
  $$values ('definition', audio.text_hash('A sheltered place for ships.'), 'queued')$$,
  'the stale definition is queued with the current text''s hash');

select is(
  (select count(*)::integer from pgmq.q_audio_segments as q
   join public.audio_segments as s on s.msg_id = q.msg_id where s.batch_id = (select batch_id from t_batch)),
  1, 'one message, for the stale segment');

select is(
  (select storage_path from public.word_audio where word_id = audio_test.word_id(1) and kind = 'definition'),
  'p/def-old.mp3', 'the stale audio stays playable until the new audio is done');

create temporary table t_all on commit drop as
  select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_missing_only => false, p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
select results_eq('select total, queued from t_all', $$values (3, 3)$$,
  'missing_only false queues every segment, current or not');

create temporary table t_other_voice on commit drop as
  select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_kinds => array['word'], p_missing_only => true, p_voice_id => 'voice-other', p_model_id => 'model-test', p_format => 'mp3');
select results_eq('select total, queued from t_other_voice', $$values (1, 1)$$,
  'audio in another voice is not current for this voice');

select * from finish();
rollback;
