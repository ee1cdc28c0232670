-- audio.begin_attempt, outcome wait, for the same segment: its message was redelivered (the first
-- worker's request is slow) while that worker still holds a live permit for it. The second worker
-- waits — no permit, no attempt counted, message hidden briefly — instead of a second provider
-- call; once the first permit's lease has expired the segment may go again.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();

select audio_test.add_word(1, 'lantern');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1], array['word']);
create temporary table t_claim on commit drop as select * from audio.claim_segments(1, 300);

select results_eq(
  $$select outcome, slot from audio.begin_attempt((select segment_id from t_claim), (select msg_id from t_claim),
    'worker-a', 3, 60, 600)$$,
  $$values ('go', 1)$$, 'worker-a goes with slot 1');

-- The same message, redelivered to worker-b while worker-a's request is still running.
select results_eq(
  $$select outcome, slot from audio.begin_attempt((select segment_id from t_claim), (select msg_id from t_claim),
    'worker-b', 3, 60, 600, 30)$$,
  $$values ('wait', null::integer)$$, 'worker-b waits while worker-a''s live permit covers the segment');

select results_eq(
  $$select holder, (select attempts from public.audio_segments where id = (select segment_id from t_claim))
    from audio.permits where holder is not null$$,
  $$values ('worker-a', 1)$$, 'worker-b took no permit and counted no attempt');

select ok(
  (select vt < clock_timestamp() + interval '31 seconds' from pgmq.q_audio_segments
   where msg_id = (select msg_id from t_claim)),
  'the message is hidden for the wait (30 s), not an attempt''s 600 s');

-- worker-a died: its lease runs out. Now worker-b may take the segment.
update audio.permits set expires_at = now() - interval '1 second' where holder = 'worker-a';
select results_eq(
  $$select outcome from audio.begin_attempt((select segment_id from t_claim), (select msg_id from t_claim),
    'worker-b', 3, 60, 600)$$,
  $$values ('go')$$, 'after the lease expired, worker-b goes');

select * from finish();
rollback;
