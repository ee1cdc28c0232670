-- audio.claim_gated with the circuit open: nothing is claimed until the probe is due; then one
-- caller gets exactly one segment (the probe) and the others still get nothing; once the circuit
-- closes, claims take everything again.
begin;
\ir ../fixtures.psql
select plan(10);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor');
select audio_test.add_word(2, 'lantern');
select audio_test.add_word(3, 'meadow');
select * from audio_test.create_batch(array[1, 2, 3], array['word']);

select is(audio.open_circuit('the provider rejected the API key', 'Cartesia answered 401', 30), true,
  'open_circuit opens a closed circuit');
select is(audio.open_circuit('the provider rejected the API key', 'Cartesia answered 401', 30), false,
  'a second account error re-opens it without opening it anew');

select results_eq(
  $$select state, reason, opened_at is not null, next_probe_at > now() from audio.provider_circuit()$$,
  $$values ('open'::text, 'the provider rejected the API key'::text, true, true)$$,
  'the read shows open, the reason, when it opened and a probe still to come');

select is((select count(*)::integer from audio.claim_gated(5, 30, 5, 'worker-a', 60)), 0,
  'open and no probe due: nothing is claimed');

-- The probe interval passes.
update audio.provider_circuit set next_probe_at = now() - interval '1 second';
select is((select state from audio.provider_circuit()), 'half_open', 'a due probe reads as half_open');

create temporary table t_probe on commit drop as
  select * from audio.claim_gated(5, 30, 5, 'worker-a', 60);
select results_eq($$select count(*)::integer, bool_and(probe) from t_probe$$, $$values (1, true)$$,
  'the first caller after the interval gets exactly one segment, marked as the probe');

select is((select count(*)::integer from audio.claim_gated(5, 30, 5, 'worker-b', 60)), 0,
  'another worker gets nothing while the probe is out');

select results_eq(
  $$select outcome from audio.begin_gated_attempt((select segment_id from t_probe), (select msg_id from t_probe), 'worker-b', 3, 60, 600)$$,
  $$values ('circuit_open'::text)$$,
  'only the probe''s holder may start its request');

select is(audio.close_circuit('probe'), true, 'the probe''s success closes the circuit');
select results_eq(
  $$select count(*)::integer, bool_or(probe) from audio.claim_gated(5, 30, 5, 'worker-b', 60)$$,
  $$values (2, false)$$,
  'closed: the rest is claimed at once, none of it a probe');

select * from finish();
rollback;
