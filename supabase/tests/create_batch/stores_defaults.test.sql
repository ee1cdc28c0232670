-- audio.create_batch with p_set_defaults (as start-batch calls it): the given voice, model and
-- format become the database's defaults (what the nightly backfill uses) before the batch is
-- made, so a batch that passes none uses them; values must be non-empty strings under those keys.
begin;
\ir ../fixtures.psql
select plan(7);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
delete from audio.config where key in ('voice_id', 'model_id', 'format');

create temporary table t_batch on commit drop as
  select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_voice_id => 'voice-override', p_model_id => 'model-test', p_format => 'mp3',
    p_set_defaults => '{"voice_id": "voice-default", "model_id": "model-test", "format": "mp3"}');

select results_eq(
  $$select key, value from audio.config where key in ('voice_id', 'model_id', 'format') order by key$$,
  $$values ('format', 'mp3'), ('model_id', 'model-test'), ('voice_id', 'voice-default')$$,
  'the three defaults are stored');
select is((select voice_id from public.audio_batches where id = (select batch_id from t_batch)), 'voice-override',
  'the batch speaks in the voice passed, not the default');

create temporary table t_from_defaults on commit drop as
  select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)], p_missing_only => false,
    p_set_defaults => '{"voice_id": "voice-next"}');
select results_eq(
  $$select voice_id, model_id, format from public.audio_batches where id = (select batch_id from t_from_defaults)$$,
  $$values ('voice-next', 'model-test', 'mp3')$$,
  'a batch without voice, model or format uses the defaults, including one stored by the same call');

select throws_ok(
  $$select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)], p_set_defaults => '{"voice_id": ""}')$$,
  '22023', 'audio.store_defaults: defaults must be an object of non-empty strings under voice_id, model_id, format',
  'an empty value is refused');
select throws_ok(
  $$select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)], p_set_defaults => '{"format": 3}')$$,
  '22023', null, 'a value that is not a string is refused');
select throws_ok(
  $$select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)], p_set_defaults => '["voice_id"]')$$,
  '22023', null, 'a p_set_defaults that is not an object is refused');
select throws_ok(
  $$select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)], p_set_defaults => '{"voice": "v"}')$$,
  '22023', null, 'a key other than voice_id, model_id, format is refused');

select * from finish();
rollback;
