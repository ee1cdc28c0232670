-- audio.extend_claims: the messages a worker holds stay hidden for another visibility timeout
-- from now, in one call; ids of messages that no longer exist are left out of the answer.
begin;
\ir ../fixtures.psql
select plan(3);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_claim on commit drop as select * from audio.claim_segments(2, 1);

select results_eq(
  $$select count(*)::integer from audio.extend_claims((select array_agg(msg_id) || array[-1::bigint] from t_claim), 600)$$,
  $$values (2)$$, 'both held messages extended; the unknown id is not in the answer');
select ok(
  (select bool_and(vt > clock_timestamp() + interval '500 seconds') from pgmq.q_audio_segments
   where msg_id in (select msg_id from t_claim)),
  'they are hidden for the new timeout, not the claim''s 1 s');
select is_empty('select * from audio.claim_segments(10, 300)', 'no other worker can claim them');

select * from finish();
rollback;
