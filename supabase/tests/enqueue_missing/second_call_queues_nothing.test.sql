-- audio.enqueue_missing (the nightly backfill): one batch with source backfill of every segment with
-- no audio or audio of an older text, in the default voice; calling it again queues nothing and
-- returns null.
begin;
\ir ../fixtures.psql
select plan(7);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.add_word(2, 'lantern', 'A lamp with a case.');
select audio_test.store_defaults();

create temporary table t_first on commit drop as select audio.enqueue_missing(p_grade => 99::smallint) as batch_id;

select isnt((select batch_id from t_first), null, 'the first call creates a batch');

select results_eq(
  $$select source, total, status, voice_id, model_id, format from public.audio_batches where id = (select batch_id from t_first)$$,
  $$values ('backfill', 5, 'queued', 'voice-test', 'model-test', 'mp3')$$,
  'source backfill, five segments (the empty sentence is skipped), default voice/model/format');

create temporary table t_len on commit drop as select (pgmq.metrics('audio_segments')).queue_length as n;

select is(audio.enqueue_missing(p_grade => 99::smallint), null, 'the second call returns null');
select is((pgmq.metrics('audio_segments')).queue_length, (select n from t_len),
  'and the queue length is unchanged');
select is((select count(*)::integer from public.audio_batches where source = 'backfill' and grade = 99), 1,
  'and no second batch row exists');

-- The cron job calls it without arguments: every grade.
create temporary table t_all on commit drop as select audio.enqueue_missing() as batch_id;
select is(
  (select count(*)::integer from public.audio_segments
   where batch_id = (select batch_id from t_all) and word_id in (audio_test.word_id(1), audio_test.word_id(2))),
  0, 'without a grade, segments already pending from the first backfill are not queued again');
select is(audio.enqueue_missing(), null, 'and a second call without a grade returns null too');

select * from finish();
rollback;
