-- audio.enqueue_segments: one queue message per segment, whose body names the segment, sent in
-- segment id order whatever the order given (message ids ascend with segment ids); returns each
-- segment's message id and stores nothing itself. No ids: no message.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
create temporary table t_batch on commit drop as select * from audio_test.create_batch(array[1]);
create temporary table t_ids on commit drop as
  select array_agg(id order by id desc) as ids from public.audio_segments where batch_id = (select batch_id from t_batch);
select audio_test.clear_work();

create temporary table t_sent on commit drop as
  select * from audio.enqueue_segments((select batch_id from t_batch), (select ids from t_ids));

select results_eq('select segment_id from t_sent order by segment_id',
  'select unnest(ids) as id from t_ids order by id', 'a row per segment given');
select is(
  (select count(*)::integer from t_sent as t join pgmq.q_audio_segments as q
     on q.msg_id = t.msg_id and (q.message ->> 'segment_id')::bigint = t.segment_id),
  3, 'each returned msg_id is a queued message naming its segment');
select is(
  (select bool_and(a.msg_id < b.msg_id) from t_sent as a join t_sent as b on a.segment_id < b.segment_id),
  true, 'message ids ascend with segment ids, though the ids were given in descending order');
select is((select count(*)::integer from public.audio_segments as s join t_sent as t on t.segment_id = s.id
  where s.msg_id = t.msg_id), 0, 'the segments'' msg_id is left to the caller');

select is_empty($$select * from audio.enqueue_segments((select batch_id from t_batch), array[]::bigint[])$$,
  'an empty list sends nothing');

select * from finish();
rollback;
