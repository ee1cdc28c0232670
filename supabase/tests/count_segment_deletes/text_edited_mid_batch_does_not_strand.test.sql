-- A word's text edited while its batch runs: the segment still speaks the text it was queued
-- with, the batch ends, the counters equal the rows, and word_audio records the old text's hash,
-- so the word shows stale (its hash differs from the current text's).
begin;
\ir ../fixtures.psql
select plan(4);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);

update public.words set definition = 'A place where ships shelter.' where id = audio_test.word_id(1);
select audio.complete_segment(s.id, s.msg_id, 'p/' || s.id || '.mp3', 10)
from public.audio_segments as s where s.batch_id = (select batch_id from t_batch);

select results_eq(
  $$select status, total, done from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('completed', 2, 2)$$, 'the batch completes');
select is_empty('select * from audio.batch_counter_drift()', 'counters equal the rows');
select is((select text_hash from public.word_audio where word_id = audio_test.word_id(1) and kind = 'definition'),
  audio.text_hash('A sheltered place for ships.'), 'word_audio records the text that was spoken');
select isnt((select text_hash from public.word_audio where word_id = audio_test.word_id(1) and kind = 'definition'),
  (select text_hash from audio.segment_sources where word_id = audio_test.word_id(1) and kind = 'definition'),
  'so the definition shows stale against the current text');

select * from finish();
rollback;
