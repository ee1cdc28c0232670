-- audio.prune_history and the segment history: the rows of batches that finished before the
-- retention are deleted, except those the page reads (a word and kind's newest finished segment,
-- which holds its last failure, and the segment word_audio names); the batch rows stay with their
-- counters unchanged; recent and unfinished batches keep every row; the state reads still answer.
begin;
\ir ../fixtures.psql
select plan(10);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.add_word(2, 'meadow', 'A field of grass.', 'Cows graze in the meadow.');

-- Old batch A over word 1 (word, definition): the word done, the definition failed.
create temporary table t_a on commit drop as
  select batch_id from audio_test.create_batch(array[1], array['word', 'definition']);
select audio.complete_segment(s.id, s.msg_id, 'p/a-word.mp3', 10)
from public.audio_segments as s where s.batch_id = (select batch_id from t_a) and s.kind = 'word';
select audio.fail_segment(s.id, s.msg_id, 'HTTP 500: provider error')
from public.audio_segments as s where s.batch_id = (select batch_id from t_a) and s.kind = 'definition';
-- Old batch A2 speaks word 1's word again: A's word segment is then read by nothing.
create temporary table t_a2 on commit drop as
  select batch_id from audio_test.create_batch(array[1], array['word'], false);
select audio.complete_segment(s.id, s.msg_id, 'p/a2-word.mp3', 10)
from public.audio_segments as s where s.batch_id = (select batch_id from t_a2);
-- Batch R finished recently (word 2's word); batch L is still live (word 2's sentence).
create temporary table t_r on commit drop as
  select batch_id from audio_test.create_batch(array[2], array['word']);
select audio.complete_segment(s.id, s.msg_id, 'p/r-word.mp3', 10)
from public.audio_segments as s where s.batch_id = (select batch_id from t_r);
create temporary table t_l on commit drop as
  select batch_id from audio_test.create_batch(array[2], array['sentence']);

update public.audio_batches set finished_at = now() - interval '40 days', created_at = now() - interval '41 days'
where id in ((select batch_id from t_a), (select batch_id from t_a2));
update public.audio_batches set created_at = now() - interval '40 days'
where id = (select batch_id from t_l);
create temporary table t_before on commit drop as
  select id, status, total, done, failed, cancelled, skipped from public.audio_batches;
create temporary table t_state_before on commit drop as
  select * from audio.segment_states(99::smallint, 'voice-test', 'model-test', 'mp3');

select results_eq(
  'select batches, segments from audio.prune_history()', $$values (2, 1)$$,
  'the two old finished batches are pruned: one row, the word segment nothing reads any more');
select results_eq(
  $$select kind, status from public.audio_segments where batch_id = (select batch_id from t_a)$$,
  $$values ('definition', 'failed')$$,
  'batch A keeps its failed definition, the newest failure of that word and kind');
select is(
  (select count(*)::integer from public.audio_segments where batch_id = (select batch_id from t_a2)), 1,
  'batch A2 keeps the segment word_audio plays');
select bag_eq(
  'select id, status, total, done, failed, cancelled, skipped from public.audio_batches',
  'select * from t_before',
  'every batch row stays, its counters and status unchanged');
select is(
  (select count(*)::integer from public.audio_segments
   where batch_id in ((select batch_id from t_r), (select batch_id from t_l))), 2,
  'the recent batch and the live one keep every row');
select is_empty('select * from audio.batch_counter_drift()', 'no batch''s counters drift');
select bag_eq(
  $$select * from audio.segment_states(99::smallint, 'voice-test', 'model-test', 'mp3')$$,
  'select * from t_state_before',
  'the page''s state of every word and kind is as before, the failure with its error');

select results_eq(
  'select batches, segments from audio.prune_history()', $$values (0, 0)$$,
  'a second run finds nothing new');

-- A newer attempt at the definition succeeds: the kept failure is read by nothing, and goes.
create temporary table t_b on commit drop as
  select batch_id from audio_test.create_batch(array[1], array['definition'], false);
select audio.complete_segment(s.id, s.msg_id, 'p/b-def.mp3', 10)
from public.audio_segments as s where s.batch_id = (select batch_id from t_b);
select results_eq(
  'select batches, segments from audio.prune_history()', $$values (0, 1)$$,
  'the old failure goes once a newer segment finished');
select results_eq(
  $$select total, done, failed from public.audio_batches where id = (select batch_id from t_a)$$,
  $$values (2, 1, 1)$$,
  'batch A''s counters still tell what it did');

select * from finish();
rollback;
