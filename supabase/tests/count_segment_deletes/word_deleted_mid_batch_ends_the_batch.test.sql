-- Trigger audio.count_segment_deletes: a word deleted while its batch runs (its segments cascade
-- away) is taken out of the batch's counters, its queue messages go, and the batch ends; the
-- counters equal the rows afterwards (audio.batch_counter_drift is empty).
begin;
\ir ../fixtures.psql
select plan(8);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.add_word(2, 'lantern', 'A lamp with a case.', 'She lit the lantern.');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1, 2]);
create temporary table t_gone on commit drop as
  select id, msg_id from public.audio_segments
  where batch_id = (select batch_id from t_batch) and word_id = audio_test.word_id(1);

-- Word 1: its word segment done, its definition generating (a worker holds it), its sentence
-- queued. Word 2: all three done.
select audio.complete_segment(s.id, s.msg_id, 'p/' || s.id || '.mp3', 10)
from public.audio_segments as s
where s.batch_id = (select batch_id from t_batch) and (s.word_id = audio_test.word_id(2) or s.kind = 'word');
update public.audio_segments set status = 'generating'
where batch_id = (select batch_id from t_batch) and word_id = audio_test.word_id(1) and kind = 'definition';
select results_eq(
  $$select status, total, done from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('running', 6, 4)$$, 'before the delete: running, 4 of 6 done');

delete from public.words where id = audio_test.word_id(1);

select results_eq(
  $$select status, total, done, failed, cancelled, finished_at is not null
    from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('completed', 3, 3, 0, 0, true)$$,
  'after the delete: the word''s 3 segments leave total and done, and the batch is completed');
select is_empty('select * from audio.batch_counter_drift()', 'counters equal the rows');
select is_empty(
  $$select 1 from pgmq.q_audio_segments where msg_id in (select msg_id from t_gone)$$,
  'the deleted segments'' queue messages are gone');

-- A failed segment of a deleted word leaves failed too: the batch is no longer "with errors".
select audio_test.add_word(3, 'meadow', 'A field of grass.');
select audio_test.add_word(4, 'pebble');
create temporary table t_second on commit drop as
  select * from audio_test.create_batch(array[3, 4]);
select audio.fail_segment(s.id, s.msg_id, 'provider said no')
from public.audio_segments as s where s.batch_id = (select batch_id from t_second) and s.word_id = audio_test.word_id(3) and s.kind = 'word';
select results_eq(
  $$select status, total, failed from public.audio_batches where id = (select batch_id from t_second)$$,
  $$values ('running', 3, 1)$$, 'second batch: one failed of three');
delete from public.words where id = audio_test.word_id(3);
select audio.complete_segment(s.id, s.msg_id, 'p/pebble.mp3', 10)
from public.audio_segments as s where s.batch_id = (select batch_id from t_second);
select results_eq(
  $$select status, total, done, failed from public.audio_batches where id = (select batch_id from t_second)$$,
  $$values ('completed', 1, 1, 0)$$, 'word 3 deleted, word 4 done: completed, the failure left with its row');

-- Every segment of a batch deleted: the batch ends with nothing in it.
select audio_test.add_word(5, 'willow');
create temporary table t_third on commit drop as
  select * from audio_test.create_batch(array[5]);
delete from public.words where id = audio_test.word_id(5);
select results_eq(
  $$select status, total, finished_at is not null from public.audio_batches where id = (select batch_id from t_third)$$,
  $$values ('completed', 0, true)$$, 'a batch whose only word was deleted is completed, empty');
select is_empty('select * from audio.batch_counter_drift()', 'counters equal the rows after every scenario');

select * from finish();
rollback;
