-- audio.claim_segments: a message delivered more than max_reads times (its workers kept dying)
-- fails its segment with an explanation and moves the message to the archive (dead letter).
begin;
\ir ../fixtures.psql
select plan(7);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_seg on commit drop as
  select id, msg_id from public.audio_segments where batch_id = (select batch_id from t_batch);

-- Visibility timeout 0: the message comes back at once, as if each worker died holding it.
select results_eq('select read_ct from audio.claim_segments(1, 0, 2)', $$values (1)$$, 'first delivery');
select results_eq('select read_ct from audio.claim_segments(1, 0, 2)', $$values (2)$$, 'second delivery (at the limit)');
select is_empty('select * from audio.claim_segments(1, 0, 2)', 'the third delivery is not handed to a worker');

select results_eq(
  $$select status, last_error, finished_at is not null from public.audio_segments where id = (select id from t_seg)$$,
  $$values ('failed', 'delivered 3 times without finishing (limit 2); message archived', true)$$,
  'the segment failed with an error saying why');

select is_empty('select 1 from pgmq.q_audio_segments where msg_id = (select msg_id from t_seg)',
  'the message left the queue');
select results_eq(
  $$select read_ct, (message ->> 'segment_id')::bigint from pgmq.a_audio_segments where msg_id = (select msg_id from t_seg)$$,
  $$select 3, id from t_seg$$,
  'and is in the archive (pgmq.a_audio_segments)');

select results_eq(
  $$select failed, status from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values (1, 'completed_with_errors')$$,
  'the batch counts the failure and finishes with errors');

select * from finish();
rollback;
