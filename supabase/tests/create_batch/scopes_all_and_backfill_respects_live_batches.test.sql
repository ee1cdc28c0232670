-- audio.create_batch with neither word ids nor a grade covers every word of the catalog, each
-- queued segment written once with its message id; the backfill never queues a segment a live
-- batch holds, whatever that batch's voice.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
select audio_test.add_word(2, 'lantern');

create temporary table t_all on commit drop as
  select * from audio.create_batch(p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
select is((select total from t_all), (select count(*)::integer from audio.segment_sources),
  'no scope: one segment per (word, kind) of the catalog');
select is(
  (select count(*)::integer from public.audio_segments as s
   join pgmq.q_audio_segments as q on q.msg_id = s.msg_id and (q.message ->> 'segment_id')::bigint = s.id
   where s.batch_id = (select batch_id from t_all)),
  (select queued from t_all), 'each queued segment carries the id of its own message');
select audio.cancel_batch((select batch_id from t_all));

-- A live admin batch in another voice holds word 1; the backfill (default voice) leaves it.
select audio_test.store_defaults();
create temporary table t_other on commit drop as
  select * from audio_test.create_batch(array[1], p_voice_id => 'voice-other');
create temporary table t_fill on commit drop as select audio.enqueue_missing() as batch_id;
select is(
  (select count(*)::integer from public.audio_segments
   where batch_id = (select batch_id from t_fill) and word_id = audio_test.word_id(1)),
  0, 'the backfill does not queue what a live batch in another voice holds');
select is(
  (select count(*)::integer from public.audio_segments
   where batch_id = (select batch_id from t_fill) and word_id = audio_test.word_id(2)),
  1, 'it queues the word no batch holds');

-- Once that batch is cancelled, the backfill queues the word.
select audio.cancel_batch((select batch_id from t_other));
select audio.cancel_batch((select batch_id from t_fill));
create temporary table t_refill on commit drop as select audio.enqueue_missing() as batch_id;
select is(
  (select count(*)::integer from public.audio_segments
   where batch_id = (select batch_id from t_refill) and word_id = audio_test.word_id(1)),
  2, 'after the cancel the backfill queues it');

select * from finish();
rollback;
