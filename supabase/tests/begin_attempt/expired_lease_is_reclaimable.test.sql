-- audio.begin_attempt: a permit whose lease has expired (its worker died) is taken over; one whose
-- lease is still running is not.
begin;
\ir ../fixtures.psql
select plan(4);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_claim on commit drop as select * from audio.claim_segments(1, 30);

-- A live worker holds the only slot allowed (limit 1).
update audio.permits set holder = 'live-worker', segment_id = -1, acquired_at = now(), expires_at = now() + interval '1 minute'
where slot = 1;
select results_eq(
  $$select outcome from audio.begin_attempt((select segment_id from t_claim), (select msg_id from t_claim), 'worker-b', 1, 60, 600)$$,
  $$values ('no_permit')$$, 'a running lease is respected');

-- That worker died: its lease ran out.
update audio.permits set holder = 'dead-worker', acquired_at = now() - interval '2 minutes', expires_at = now() - interval '1 second'
where slot = 1;
select results_eq(
  $$select outcome, slot from audio.begin_attempt((select segment_id from t_claim), (select msg_id from t_claim), 'worker-b', 1, 60, 600)$$,
  $$values ('go', 1)$$, 'an expired lease is taken over');
select results_eq(
  $$select holder, segment_id, expires_at > now() from audio.permits where slot = 1$$,
  $$select 'worker-b'::text, segment_id, true from t_claim$$,
  'the slot now belongs to the new worker with a fresh lease');
select is(
  (select attempts from public.audio_segments where id = (select segment_id from t_claim)), 1,
  'the attempt is counted once (no_permit did not count)');

select * from finish();
rollback;
