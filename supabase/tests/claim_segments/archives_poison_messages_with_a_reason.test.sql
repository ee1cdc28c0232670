-- audio.claim_segments: a message whose body names no segment ({}, a segment_id that is not an
-- integer, the id of a segment that never existed) is archived with its reason in
-- audio.dead_letters, never handed to a worker, and never stops the good messages read with it
-- or after it.
begin;
\ir ../fixtures.psql
select plan(6);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
create temporary table t_poison on commit drop as
  select pgmq.send(queue_name => 'audio_segments'::text, msg => b.body, delay => now() - interval '2 seconds') as msg_id, b.reason
  from (values
    ('{}'::jsonb, 'the body has no integer segment_id'),
    ('{"segment_id": "x"}'::jsonb, 'the body has no integer segment_id'),
    ('{"segment_id": 1.5}'::jsonb, 'the body has no integer segment_id'),
    ('[1]'::jsonb, 'the body has no integer segment_id'),
    ('{"segment_id": 987654321}'::jsonb, 'no segment with id 987654321')
  ) as b (body, reason);
-- The batch's two good messages, sent after the poison ones (visible a second before now).
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);

-- Read three at a time: the first claim meets only poison, the next ones reach the good messages.
create temporary table t_claimed on commit drop as select * from audio.claim_segments(3, 300);
insert into t_claimed select * from audio.claim_segments(3, 300);
insert into t_claimed select * from audio.claim_segments(3, 300);

select results_eq('select segment_id from t_claimed order by segment_id',
  $$select id from public.audio_segments where batch_id = (select batch_id from t_batch) order by id$$,
  'only the batch''s segments are handed out');
select results_eq('select msg_id, reason from audio.dead_letters order by msg_id',
  'select msg_id, reason from t_poison order by msg_id',
  'each poison message has its reason recorded');
select results_eq('select msg_id, message from audio.dead_letters order by msg_id',
  'select msg_id, message from pgmq.a_audio_segments where msg_id in (select msg_id from t_poison) order by msg_id',
  'and is in the pgmq archive with its body');
select is_empty('select 1 from pgmq.q_audio_segments where msg_id in (select msg_id from t_poison)',
  'no poison message is left in the queue');
select is_empty('select * from audio.claim_segments(10, 0)', 'the queue is then empty of visible messages');
select is((select count(*)::integer from pgmq.q_audio_segments), 2,
  'the good messages are held by their claims, not archived');

select * from finish();
rollback;
