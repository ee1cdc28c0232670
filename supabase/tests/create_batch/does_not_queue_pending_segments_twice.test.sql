-- audio.create_batch with missing_only: segments already queued or generating in a live batch are
-- not queued again (counted as pending); once that batch is cancelled they are queued again.
begin;
\ir ../fixtures.psql
select plan(7);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.add_word(2, 'lantern', 'A lamp with a case.', 'She lit the lantern.');

create temporary table t_first on commit drop as
  select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
select results_eq('select total, queued from t_first', $$values (3, 3)$$, 'first batch queues three');

-- One of them is being generated right now: still pending.
update public.audio_segments set status = 'generating'
where batch_id = (select batch_id from t_first) and kind = 'word';

create temporary table t_again on commit drop as
  select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
select results_eq('select batch_id, total, pending from t_again', $$values (null::uuid, 0, 3)$$,
  'the same request again: no batch, three pending');

select is(
  (select count(*)::integer from pgmq.q_audio_segments as q
   join public.audio_segments as s on (q.message ->> 'segment_id')::bigint = s.id
   where s.word_id = audio_test.word_id(1)),
  3, 'still exactly one message per segment of that word');

create temporary table t_mixed on commit drop as
  select * from audio.create_batch(
    p_word_ids => array[audio_test.word_id(1), audio_test.word_id(2)],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
select results_eq('select total, queued, pending from t_mixed', $$values (3, 3, 3)$$,
  'a request covering both words queues only the new word''s three');
select is(
  (select array_agg(distinct word_id) from public.audio_segments where batch_id = (select batch_id from t_mixed)),
  array[audio_test.word_id(2)], 'the new batch holds only the new word');

-- A cancelled batch's segments are not pending any more.
select audio.cancel_batch((select batch_id from t_first));
create temporary table t_after_cancel on commit drop as
  select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
select results_eq('select total, queued, pending from t_after_cancel', $$values (3, 3, 0)$$,
  'after cancelling the first batch its segments are queued again');

-- missing_only false asks for everything regardless of pending work.
create temporary table t_forced on commit drop as
  select * from audio.create_batch(p_word_ids => array[audio_test.word_id(1)],
    p_missing_only => false, p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
select results_eq('select total, pending from t_forced', $$values (3, 0)$$,
  'missing_only false does not look at pending segments');

select * from finish();
rollback;
