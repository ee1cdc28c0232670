-- audio.create_batch: when every segment's audio is current, no batch is created and batch_id is
-- null (the caller answers "nothing to do").
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
insert into public.word_audio (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes)
select s.word_id, s.kind, s.text_hash, 'voice-test', 'model-test', 'mp3', 'p/' || s.kind || '.mp3', 10
from audio.segment_sources as s where s.word_id = audio_test.word_id(1);

create temporary table t_counts on commit drop as
  select (select count(*) from public.audio_batches) as batches,
    (select count(*) from public.audio_segments) as segments,
    (select count(*) from pgmq.q_audio_segments) as messages;

create temporary table t_batch on commit drop as
  select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');

select results_eq('select batch_id, total, queued, skipped, pending from t_batch',
  $$values (null::uuid, 0, 0, 0, 0)$$, 'all current: batch_id null and zero counts');

select results_eq(
  $$select (select count(*) from public.audio_batches), (select count(*) from public.audio_segments),
    (select count(*) from pgmq.q_audio_segments)$$,
  'select batches, segments, messages from t_counts',
  'no batch row, no segment, no message was left behind');

select results_eq(
  $$select batch_id, total from audio.create_batch(p_word_ids => array['99000000-0000-4000-8000-0000000000ff']::uuid[],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3')$$,
  $$values (null::uuid, 0)$$, 'an unknown word id: nothing to do');

select results_eq(
  $$select batch_id, total from audio.create_batch(p_grade => 98::smallint, p_kinds => array['word'],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3')$$,
  $$values (null::uuid, 0)$$, 'a grade without words: nothing to do');

select is((select count(*) from public.audio_batches), (select batches from t_counts),
  'still no batch row');

select * from finish();
rollback;
