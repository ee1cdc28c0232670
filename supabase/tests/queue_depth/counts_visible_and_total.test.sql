-- audio.queue_depth: total = every message in the queue; visible = those a worker could claim now
-- (claimed, hidden messages are in total but not visible).
begin;
\ir ../fixtures.psql
select plan(3);

select audio_test.clear_work();
select results_eq('select visible, total from audio.queue_depth()', $$values (0::bigint, 0::bigint)$$, 'an empty queue: 0, 0');

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
-- As if the batch had been created by an earlier transaction (see queue_depth/visible_matches_claimable).
update pgmq.q_audio_segments set vt = now() - interval '1 second';

select results_eq('select visible, total from audio.queue_depth()', $$values (3::bigint, 3::bigint)$$, 'three waiting: 3, 3');

select * from audio.claim_segments(1, 300);
select results_eq('select visible, total from audio.queue_depth()', $$values (2::bigint, 3::bigint)$$,
  'one claimed: 2 visible, 3 in total');

select * from finish();
rollback;
