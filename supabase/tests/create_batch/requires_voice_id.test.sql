-- audio.create_batch: voice, model and format come from the arguments or from the stored
-- settings; with neither, the error names the missing one and how to set it.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
delete from audio.config where key in ('voice_id', 'model_id', 'format');

select throws_ok(
  $$select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_model_id => 'model-test', p_format => 'mp3')$$,
  '22023',
  'audio.create_batch: no voice_id: pass it, or store a default with select audio.set_setting(''voice_id'', ''<value>'')',
  'no voice argument and no voice_id setting: error names voice_id and the fix');

select throws_ok(
  $$select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_voice_id => 'voice-test', p_format => 'mp3')$$,
  '22023',
  'audio.create_batch: no model_id: pass it, or store a default with select audio.set_setting(''model_id'', ''<value>'')',
  'no model: error names model_id');

select throws_ok(
  $$select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_voice_id => 'voice-test', p_model_id => 'model-test')$$,
  '22023',
  'audio.create_batch: no format: pass it, or store a default with select audio.set_setting(''format'', ''<value>'')',
  'no format: error names format');

select audio.set_setting('voice_id', 'voice-from-settings');
select audio.set_setting('model_id', 'model-from-settings');
select audio.set_setting('format', 'wav');

create temporary table t_from_settings on commit drop as
  select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)]);
select results_eq(
  $$select b.voice_id, b.model_id, b.format from public.audio_batches as b
    where b.id = (select batch_id from t_from_settings)$$,
  $$values ('voice-from-settings', 'model-from-settings', 'wav')$$,
  'with the settings stored, the batch uses them');

create temporary table t_from_argument on commit drop as
  select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_missing_only => false, p_voice_id => 'voice-argument');
select results_eq(
  $$select b.voice_id from public.audio_batches as b where b.id = (select batch_id from t_from_argument)$$,
  $$values ('voice-argument')$$,
  'an explicit voice wins over the setting');

select * from finish();
rollback;
