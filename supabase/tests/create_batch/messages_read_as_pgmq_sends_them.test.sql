-- audio.create_batch writes its queue messages itself (not through pgmq.send_batch): each is a
-- message as pgmq sends one — visible at once, never read, enqueued now — that pgmq.read hands
-- out in segment order, whose id continues the queue's own sequence, so a message pgmq sends
-- afterwards gets a later id than every one of the batch's.
begin;
\ir ../fixtures.psql
select plan(6);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.add_word(2, 'lantern', 'A lamp with a case.', 'She lit the lantern.');
-- Nothing else in the queue, so what pgmq.read returns is this batch's.
select audio_test.clear_work();

create temporary table t_batch on commit drop as
  select * from audio.create_batch(
    p_word_ids => array[audio_test.word_id(1), audio_test.word_id(2)],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');

select results_eq(
  $$select count(*)::integer, bool_and(q.read_ct = 0), bool_and(q.vt <= clock_timestamp()),
      bool_and(q.enqueued_at = now())
    from pgmq.q_audio_segments as q
    join public.audio_segments as s on s.msg_id = q.msg_id
    where s.batch_id = (select batch_id from t_batch)$$,
  $$values (6, true, true, true)$$,
  'six messages, none read yet, visible at once, enqueued by this transaction');

create temporary table t_read on commit drop as
  select * from pgmq.read(queue_name => 'audio_segments', vt => 30, qty => 10);

select results_eq(
  $$select (r.message ->> 'segment_id')::bigint from t_read as r order by r.msg_id$$,
  $$select s.id from public.audio_segments as s where s.batch_id = (select batch_id from t_batch) order by s.id$$,
  'pgmq.read hands out every one, in segment order, each body naming its segment');

select is((select bool_and(r.read_ct = 1) from t_read as r), true,
  'pgmq.read counts the read of each, as of any message it sent');

select is(
  (select count(*)::integer from t_read as r
   join public.audio_segments as s on s.msg_id = r.msg_id and s.id = (r.message ->> 'segment_id')::bigint),
  6, 'each message read is the one its segment names');

create temporary table t_sent on commit drop as
  select * from pgmq.send(queue_name => 'audio_segments', msg => '{"segment_id": 0}'::jsonb) as id;
select cmp_ok((select id from t_sent), '>',
  (select max(s.msg_id) from public.audio_segments as s where s.batch_id = (select batch_id from t_batch)),
  'a message pgmq sends afterwards continues the sequence the batch''s came from');

select is((select count(*)::integer from pgmq.read(queue_name => 'audio_segments', vt => 30, qty => 10)), 1,
  'and only that one is left to read');

select * from finish();
rollback;
