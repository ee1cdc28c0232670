-- audio.create_batch: kinds must be a non-empty subset of word, definition, sentence; anything else
-- is an error (22023) and creates nothing.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');

create temporary table t_before on commit drop as select count(*) as batches from public.audio_batches;

select throws_ok(
  $$select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_kinds => array['word', 'audio'], p_voice_id => 'v', p_model_id => 'm', p_format => 'mp3')$$,
  '22023', 'audio.create_batch: kinds must be a non-empty subset of word, definition, sentence',
  'an unknown kind is refused with a message listing the valid kinds');

select throws_ok(
  $$select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_kinds => array[]::text[], p_voice_id => 'v', p_model_id => 'm', p_format => 'mp3')$$,
  '22023', null, 'an empty kinds array is refused');

select throws_ok(
  $$select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_kinds => null, p_voice_id => 'v', p_model_id => 'm', p_format => 'mp3')$$,
  '22023', null, 'null kinds are refused');

select throws_ok(
  $$select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_kinds => array['Word'], p_voice_id => 'v', p_model_id => 'm', p_format => 'mp3')$$,
  '22023', null, 'kinds are case-sensitive');

select is((select count(*) from public.audio_batches), (select batches from t_before),
  'no batch row was created by the refused calls');

select * from finish();
rollback;
