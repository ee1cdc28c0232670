-- audio.begin_attempt, outcome cancelled: the batch has a cancel request; the segment is cancelled,
-- its message deleted, and no permit or attempt is used.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_claim on commit drop as select * from audio.claim_segments(1, 30);

-- The cancel request is seen before the cancel has swept this segment.
update public.audio_batches set cancel_requested_at = now() where id = (select batch_id from t_batch);

select results_eq(
  $$select outcome, slot from audio.begin_attempt((select segment_id from t_claim), (select msg_id from t_claim), 'worker-a', 3, 60, 600)$$,
  $$values ('cancelled', null::integer)$$, 'cancelled, no slot');
select results_eq(
  $$select status, attempts, finished_at is not null from public.audio_segments where id = (select segment_id from t_claim)$$,
  $$values ('cancelled', 0, true)$$, 'segment cancelled, attempts 0');
select is_empty('select 1 from pgmq.q_audio_segments where msg_id = (select msg_id from t_claim)', 'message deleted');
select is((select count(*)::integer from audio.permits where holder is not null), 0, 'no permit taken');
select results_eq(
  $$select cancelled, status from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values (1, 'cancelled')$$, 'the batch counts it and is cancelled');

select * from finish();
rollback;
