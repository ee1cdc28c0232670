-- audio.estimate_batch: the same total, queued, reused (create_batch's skipped) and pending as
-- audio.create_batch right after it, split by kind; identical texts count as one request and
-- their characters once; ids that name no word are reported as create_batch reports them; the
-- typical request time comes from done segments' provider_ms; the limit is the learned one when
-- it is below the ceiling; and nothing is written.
begin;
\ir ../fixtures.psql
select plan(10);

-- Word 2's definition is word 1's: one request for both. Word 3's word audio exists already.
select audio_test.add_word(1, 'harbor', 'A place for ships.', 'The boat rested.');
select audio_test.add_word(2, 'port', 'A place for ships.', 'Ships came in.');
select audio_test.add_word(3, 'lantern', 'A lamp in a case.', 'She lit it.');
insert into audio.generated_audio (text_hash, voice_id, model_id, format, storage_path, bytes)
values (audio.text_hash('lantern'), 'voice-test', 'model-test', 'mp3', 'voice-test/model-test/mp3/lantern.mp3', 10);
-- Word 1's sentence is held by a live batch: pending.
select audio_test.create_batch(array[1], array['sentence']);
update audio.concurrency_limit set effective = null;

create temporary table t_est on commit drop as
  select * from audio.estimate_batch(
    array[audio_test.word_id(1), audio_test.word_id(2), audio_test.word_id(3)], null, array['word', 'definition', 'sentence'],
    true, 'voice-test', 'model-test', 'mp3', 4, 200);
select results_eq('select unknown_positions, total, queued, reused, pending from t_est',
  $$values (null::integer[], 8, 7, 1, 1)$$, 'eight segments: seven to generate, one reused, one pending');
select is((select by_kind from t_est),
  '[{"kind": "word", "total": 3, "reused": 1, "queued": 2},
    {"kind": "definition", "total": 3, "reused": 0, "queued": 3},
    {"kind": "sentence", "total": 2, "reused": 0, "queued": 2}]'::jsonb, 'split by kind');
select results_eq('select requests, characters from t_est',
  $$values (6, (char_length('harbor') + char_length('port') + char_length('A place for ships.')
    + char_length('A lamp in a case.') + char_length('Ships came in.') + char_length('She lit it.'))::bigint)$$,
  'the shared definition is one request, its characters counted once');
select results_eq('select typical_ms, timed_requests, effective_limit from t_est',
  $$values (null::integer, 0, 4)$$, 'nothing timed yet; the limit is the ceiling');

select is(
  (select count(*)::integer from public.audio_batches), 1,
  'the estimate wrote no batch');

create temporary table t_real on commit drop as
  select * from audio.create_batch(
    p_word_ids => array[audio_test.word_id(1), audio_test.word_id(2), audio_test.word_id(3)],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
select results_eq('select total, queued, skipped, pending from t_real',
  'select total, queued, reused, pending from t_est', 'create_batch queues exactly the estimate');

-- Two timed requests and a learned limit of 2.
update public.audio_segments set status = 'done', provider_ms = v.ms, finished_at = now()
from (values ('harbor', 1000), ('port', 2000)) as v(text, ms)
where batch_id = (select batch_id from t_real) and audio_segments.text = v.text;
update audio.concurrency_limit set effective = 2;
create temporary table t_timed on commit drop as
  select * from audio.estimate_batch(array[audio_test.word_id(1)], null, array['word'], false,
    'voice-test', 'model-test', 'mp3', 4, 200);
select results_eq('select typical_ms, timed_requests, effective_limit from t_timed',
  $$values (1500, 2, 2)$$, 'the mean of the timed requests; the learned limit below the ceiling');
create temporary table t_newest on commit drop as
  select * from audio.estimate_batch(array[audio_test.word_id(1)], null, array['word'], false,
    'voice-test', 'model-test', 'mp3', 4, 1);
select is((select typical_ms from t_newest), 2000, 'p_samples takes the newest requests');

select results_eq(
  $$select unknown_positions, total from audio.estimate_batch(
    array[audio_test.word_id(1), '00000000-0000-4000-8000-000000000999'::uuid], null, array['word'],
    true, 'voice-test', 'model-test', 'mp3', 4, 200)$$,
  $$values (array[2], 0)$$, 'an id that names no word: its position, nothing estimated');

select is(
  (select provolatile from pg_proc where oid = 'audio.estimate_batch(uuid[], smallint, text[], boolean, text, text, text, integer, integer)'::regprocedure),
  's', 'declared stable: it cannot write');

select * from finish();
rollback;
