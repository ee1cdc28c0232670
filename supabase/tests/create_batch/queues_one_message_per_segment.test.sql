-- audio.create_batch: one batch row, one segment per (word, kind) and one pgmq message per
-- segment, whose msg_id is stored on the segment.
begin;
\ir ../fixtures.psql
select plan(10);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.add_word(2, 'lantern', 'A lamp with a case.', 'She lit the lantern.');

create temporary table t_before on commit drop as
  select (pgmq.metrics('audio_segments')).queue_length as queue_length;

create temporary table t_batch on commit drop as
  select * from audio.create_batch(
    p_word_ids => array[audio_test.word_id(1), audio_test.word_id(2)],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3',
    p_requested_by => '99000000-0000-4000-8000-0000000000a1');

select results_eq('select total, queued, skipped, pending from t_batch',
  $$values (6, 6, 0, 0)$$, 'returns total 6, queued 6, skipped 0, pending 0');

select results_eq(
  $$select b.status, b.total, b.done, b.skipped, b.source, b.requested_by, b.voice_id, b.model_id, b.format
    from public.audio_batches as b where b.id = (select batch_id from t_batch)$$,
  $$values ('queued', 6, 0, 0, 'admin', '99000000-0000-4000-8000-0000000000a1'::uuid, 'voice-test', 'model-test', 'mp3')$$,
  'the batch row: queued, total 6, source admin, requester and voice recorded');

select is(
  (select count(*)::integer from public.audio_segments as s
   where s.batch_id = (select batch_id from t_batch) and s.status = 'queued' and s.attempts = 0),
  6, 'six queued segments');

select is(
  (select count(*)::integer from public.audio_segments as s
   where s.batch_id = (select batch_id from t_batch) and s.msg_id is not null),
  6, 'every segment has its msg_id');

select is(
  (select count(*)::integer from public.audio_segments as s
   join pgmq.q_audio_segments as q on q.msg_id = s.msg_id and (q.message ->> 'segment_id')::bigint = s.id
   where s.batch_id = (select batch_id from t_batch)),
  6, 'each stored msg_id is a queue message whose body names that segment');

select is(
  (pgmq.metrics('audio_segments')).queue_length - (select queue_length from t_before),
  6::bigint, 'pgmq.metrics: the queue grew by exactly six messages');

select results_eq(
  $$select text, text_hash from public.audio_segments
    where batch_id = (select batch_id from t_batch) and word_id = audio_test.word_id(2) and kind = 'sentence'$$,
  $$values ('She lit the lantern.', audio.text_hash('She lit the lantern.'))$$,
  'the sentence segment carries the example sentence and its hash');

select is(
  (select count(distinct msg_id)::integer from public.audio_segments where batch_id = (select batch_id from t_batch)),
  6, 'msg_ids are distinct');

select results_eq(
  $$select word_id, kind from public.audio_segments where batch_id = (select batch_id from t_batch) order by id$$,
  $$values (audio_test.word_id(1), 'word'), (audio_test.word_id(1), 'definition'),
    (audio_test.word_id(1), 'sentence'), (audio_test.word_id(2), 'word'),
    (audio_test.word_id(2), 'definition'), (audio_test.word_id(2), 'sentence')$$,
  'segments are ordered word by word, word then definition then sentence');

select is(
  (select bool_and(s.msg_id > p.msg_id) from public.audio_segments as s
   join public.audio_segments as p on p.batch_id = s.batch_id and p.id < s.id
   where s.batch_id = (select batch_id from t_batch)),
  true, 'message ids ascend with segment ids (queue order = segment order)');

select * from finish();
rollback;
