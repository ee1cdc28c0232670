-- audio.begin_attempt, outcome go: a free permit slot is leased to the caller for this segment,
-- the segment becomes generating with one more attempt, and the message's visibility is extended.
begin;
\ir ../fixtures.psql
select plan(7);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_claim on commit drop as select * from audio.claim_segments(1, 30);

select results_eq(
  $$select outcome, slot from audio.begin_attempt((select segment_id from t_claim), (select msg_id from t_claim),
    'worker-a', 3, 60, 600)$$,
  $$values ('go', 1)$$,
  'go, with the lowest free slot');

select results_eq(
  $$select status, attempts, started_at is not null from public.audio_segments where id = (select segment_id from t_claim)$$,
  $$values ('generating', 1, true)$$,
  'the segment is generating, attempts 1, started_at set');

select results_eq(
  $$select holder, segment_id, expires_at > now() + interval '30 seconds' from audio.permits where slot = 1$$,
  $$select 'worker-a'::text, segment_id, true from t_claim$$,
  'slot 1 is leased to worker-a for this segment, expiring after the lease');

select is(
  (select count(*)::integer from audio.permits where holder is not null), 1, 'exactly one permit is held');

select ok(
  (select vt > clock_timestamp() + interval '300 seconds' from pgmq.q_audio_segments where msg_id = (select msg_id from t_claim)),
  'the message is hidden for the attempt''s visibility timeout (600 s), longer than the claim''s 30 s');

select results_eq(
  $$select status, started_at is not null from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('running', true)$$,
  'the batch is running');

select throws_ok(
  $$select * from audio.begin_attempt((select segment_id from t_claim), (select msg_id from t_claim), 'worker-a', 21, 60, 600)$$,
  '22023', 'audio.begin_attempt: limit 21 is outside 1..20', 'a limit outside 1..20 is refused');

select * from finish();
rollback;
