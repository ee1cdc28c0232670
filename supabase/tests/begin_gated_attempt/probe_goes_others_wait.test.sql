-- audio.begin_gated_attempt: begin_attempt's own outcomes while the circuit is closed; with it
-- open, circuit_open and nothing changed (no permit, the segment still queued); the probe's
-- holder starts the probe segment's request.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor');
select audio_test.add_word(2, 'lantern');
select * from audio_test.create_batch(array[1, 2], array['word']);
create temporary table t_claim on commit drop as select * from audio.claim_gated(2, 30, 5, 'worker-a', 60);

select audio.open_circuit('the provider account is out of credits', 'Cartesia answered 402', 30);
select results_eq(
  $$select outcome, slot from audio.begin_gated_attempt((select min(segment_id) from t_claim), (select min(msg_id) from t_claim), 'worker-a', 3, 60, 600)$$,
  $$values ('circuit_open'::text, null::integer)$$,
  'open: circuit_open, no slot');
select results_eq(
  $$select count(*)::integer from audio.permits where holder is not null$$, $$values (0)$$,
  'no permit was taken');
select results_eq(
  $$select status, attempts from public.audio_segments where id = (select min(segment_id) from t_claim)$$,
  $$values ('queued'::text, 0)$$,
  'the segment is still queued with no attempt counted');

update audio.provider_circuit
set state = 'probing', probe_holder = 'worker-a', probe_segment_id = (select max(segment_id) from t_claim),
  probe_expires_at = now() + interval '60 seconds';
select results_eq(
  $$select outcome from audio.begin_gated_attempt((select max(segment_id) from t_claim), (select max(msg_id) from t_claim), 'worker-a', 3, 60, 600)$$,
  $$values ('go'::text)$$,
  'the probe segment of the probing holder goes');
select results_eq(
  $$select outcome from audio.begin_gated_attempt((select min(segment_id) from t_claim), (select min(msg_id) from t_claim), 'worker-a', 3, 60, 600)$$,
  $$values ('circuit_open'::text)$$,
  'any other segment of the same holder waits');

select * from finish();
rollback;
