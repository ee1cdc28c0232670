-- audio.return_messages: a stopping worker hands back claimed messages it did not start, so
-- another worker can take them now (delay 0) or after a delay.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_claim on commit drop as
  select row_number() over (order by segment_id) as n, * from audio.claim_segments(2, 300);
select is_empty('select * from audio.claim_segments(10, 300)', 'precondition: both messages are hidden');

select is(audio.return_messages(array[(select msg_id from t_claim where n = 1), -1]::bigint[]), 1,
  'returns the count of messages handed back (an unknown id is not counted)');
select results_eq('select segment_id, read_ct from audio.claim_segments(10, 300)',
  $$select segment_id, 2 from t_claim where n = 1$$,
  'the handed-back message is claimable again at once');

select is(audio.return_messages(array[(select msg_id from t_claim where n = 2)]::bigint[], 60), 1, 'hand back with a delay');
select ok(
  (select vt > clock_timestamp() + interval '30 seconds' and vt < clock_timestamp() + interval '61 seconds'
   from pgmq.q_audio_segments where msg_id = (select msg_id from t_claim where n = 2)),
  'the delayed message becomes visible after the delay, not the claim''s timeout');

select * from finish();
rollback;
