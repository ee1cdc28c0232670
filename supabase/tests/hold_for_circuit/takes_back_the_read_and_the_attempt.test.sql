-- audio.hold_for_circuit: a segment whose request met an account error goes back to queued with
-- its attempt uncounted, and its message is visible again with the claim's read excused, so
-- an outage never spends the segment's delivery limit.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor');
select * from audio_test.create_batch(array[1], array['word']);
create temporary table t_claim on commit drop as select * from audio.claim_segments(1, 30);
select audio.end_attempt(slot, 'worker-a', (select segment_id from t_claim))
from audio.begin_attempt((select segment_id from t_claim), (select msg_id from t_claim), 'worker-a', 3, 60, 600);

select results_eq(
  $$select status, attempts from public.audio_segments where id = (select segment_id from t_claim)$$,
  $$values ('generating'::text, 1)$$,
  'before: generating, one attempt, as the account error found it');

select is(audio.hold_for_circuit(array[(select msg_id from t_claim)]), 1, 'one message handed back');

select results_eq(
  $$select status, attempts, last_error from public.audio_segments where id = (select segment_id from t_claim)$$,
  $$values ('queued'::text, 0, null::text)$$,
  'the segment is queued again, the attempt uncounted, no error recorded on it');
select results_eq(
  $$select q.read_ct - coalesce(e.reads, 0), q.vt <= clock_timestamp()
    from pgmq.q_audio_segments as q left join audio.excused_reads as e on e.msg_id = q.msg_id
    where q.msg_id = (select msg_id from t_claim)$$,
  $$values (0, true)$$,
  'the message is visible again and its read excused: no delivery counts against the limit');
select results_eq(
  $$select status from public.audio_batches where id = (select batch_id from t_claim)$$,
  $$values ('running'::text)$$,
  'the batch is not finished: nothing failed');

select * from finish();
rollback;
