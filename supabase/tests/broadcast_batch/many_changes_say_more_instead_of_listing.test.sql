-- A segments message lists at most broadcast_changes_cap() changes: when more are waiting (a
-- cancel of a large batch), it lists none and says more: true, so the page re-reads the batch.
begin;
\ir ../fixtures.psql
select plan(3);

-- 70 words of three kinds: 210 segments, past the cap of 200.
select audio_test.add_word(n, 'word' || n, 'definition ' || n, 'sentence ' || n)
from generate_series(1, 70) as n;
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array(select generate_series(1, 70)));
select audio_test.at_commit();
select audio.cancel_batch((select batch_id from t_batch));
select audio_test.at_commit();

select is(
  (select payload - 'id' - 'seq' from realtime.messages
   where topic = 'batch:' || (select batch_id from t_batch) and event = 'segments'),
  jsonb_build_object('batch_id', (select batch_id from t_batch), 'changes', '[]'::jsonb, 'more', true),
  '210 cancelled segments: no list, more: true');
select is(audio.broadcast_changes_cap(), 200, 'the cap');
select is(
  (select count(*)::integer from realtime.messages
   where topic = 'batch:' || (select batch_id from t_batch)
      or (topic = 'batches' and payload ->> 'id' = (select batch_id::text from t_batch))),
  5,
  'a cancel of the whole batch is a handful of messages: created (2), cancelled (3)');

select * from finish();
rollback;
