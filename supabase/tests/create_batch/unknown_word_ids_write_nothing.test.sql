-- audio.create_batch: ids in p_word_ids that name no word to voice (no such word, or one whose
-- texts are all blank) make the call write nothing, not even the defaults, and return their
-- positions (1-based, the first 10) with batch_id null, so start-batch can answer 400 naming them.
begin;
\ir ../fixtures.psql
select plan(7);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
select audio_test.add_word(2, '   ');
delete from audio.config where key in ('voice_id', 'model_id', 'format');
create temporary table t_before on commit drop as
  select (select count(*) from public.audio_batches) as batches,
    (select count(*) from public.audio_segments) as segments,
    (select count(*) from pgmq.q_audio_segments) as messages;

create temporary table t_mixed on commit drop as
  select * from audio.create_batch(
    p_word_ids => array[audio_test.word_id(1), audio_test.word_id(50), audio_test.word_id(1), audio_test.word_id(2)],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3',
    p_set_defaults => '{"voice_id": "voice-default", "model_id": "model-default", "format": "wav"}');

select results_eq('select batch_id, total, queued, skipped, pending, unknown_positions from t_mixed',
  $$values (null::uuid, 0, 0, 0, 0, array[2, 4])$$,
  'an unknown id (position 2) and a word with nothing to voice (position 4): no batch, their positions');
select results_eq(
  $$select (select count(*) from public.audio_batches), (select count(*) from public.audio_segments),
    (select count(*) from pgmq.q_audio_segments)$$,
  'select batches, segments, messages from t_before',
  'no batch row, segment or message was written for the known word either');
select is_empty($$select 1 from audio.config where key in ('voice_id', 'model_id', 'format')$$,
  'and p_set_defaults was not stored');

select is(
  (select unknown_positions from audio.create_batch(
    p_word_ids => array(select audio_test.word_id(100 + i) from generate_series(1, 12) as i),
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3')),
  array[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'at most the first 10 positions are returned');

create temporary table t_known on commit drop as
  select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
select results_eq('select batch_id is not null, total, unknown_positions from t_known',
  $$values (true, 2, null::integer[])$$, 'every id known: the batch, and unknown_positions null');

select is(
  (select unknown_positions from audio.create_batch(p_grade => 99::smallint, p_missing_only => false,
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3')),
  null, 'a grade request has no ids to check: unknown_positions null');

select is(
  (select unknown_positions from audio.create_batch(p_word_ids => array[audio_test.word_id(50)],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3', p_set_defaults => '{"voice": "v"}')),
  array[1], 'unknown ids are answered before p_set_defaults is looked at');

select * from finish();
rollback;
