-- audio.upsert_word_audio: audio of a word's current text is never replaced by audio of an older
-- text, even from a newer batch (a batch queued before an edit but created after the row's), and
-- audio of an older text is replaced by the current text's from an older batch.
begin;
\ir ../fixtures.psql
select plan(3);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
-- Batch 1 speaks the old definition; the text is edited; batch 2 speaks the new one.
create temporary table t_first on commit drop as
  select * from audio_test.create_batch(array[1], p_kinds => array['definition']);
update public.words set definition = 'A place where ships shelter.' where id = audio_test.word_id(1);
create temporary table t_second on commit drop as
  select * from audio_test.create_batch(array[1], p_kinds => array['definition']);
-- Batch 1 is made the newer one, so only the text decides.
update public.audio_batches set created_at = created_at + interval '1 minute' where id = (select batch_id from t_first);

select audio.complete_segment(s.id, s.msg_id, 'p/new-text.mp3', 20)
from public.audio_segments as s where s.batch_id = (select batch_id from t_second);
select audio.complete_segment(s.id, s.msg_id, 'p/old-text.mp3', 10)
from public.audio_segments as s where s.batch_id = (select batch_id from t_first);
select results_eq(
  $$select text_hash, storage_path from public.word_audio where word_id = audio_test.word_id(1) and kind = 'definition'$$,
  $$values (audio.text_hash('A place where ships shelter.'), 'p/new-text.mp3')$$,
  'the old text finishing last (from a newer batch) leaves the current text''s audio');

-- The other way round: the old text's audio first, then the current text's from an older batch.
select audio_test.add_word(2, 'lantern', 'A lamp with a case.');
create temporary table t_third on commit drop as
  select * from audio_test.create_batch(array[2], p_kinds => array['definition']);
select audio.complete_segment(s.id, s.msg_id, 'p/lamp-old.mp3', 10)
from public.audio_segments as s where s.batch_id = (select batch_id from t_third);
update public.words set definition = 'A lamp in a case.' where id = audio_test.word_id(2);
create temporary table t_fourth on commit drop as
  select * from audio_test.create_batch(array[2], p_kinds => array['definition']);
update public.audio_batches set created_at = created_at - interval '1 minute' where id = (select batch_id from t_fourth);
select audio.complete_segment(s.id, s.msg_id, 'p/lamp-new.mp3', 20)
from public.audio_segments as s where s.batch_id = (select batch_id from t_fourth);
select results_eq(
  $$select text_hash, storage_path from public.word_audio where word_id = audio_test.word_id(2) and kind = 'definition'$$,
  $$values (audio.text_hash('A lamp in a case.'), 'p/lamp-new.mp3')$$,
  'the current text''s audio replaces stale audio whatever its batch''s age');

-- A row with no recorded batch (written before batches were recorded) ranks oldest.
update public.word_audio set batch_id = null, batch_created_at = null, storage_path = 'p/legacy.mp3'
where word_id = audio_test.word_id(2) and kind = 'definition';
select audio.upsert_word_audio(array(select id from public.audio_segments where batch_id = (select batch_id from t_fourth)));
select is((select storage_path from public.word_audio where word_id = audio_test.word_id(2) and kind = 'definition'),
  'p/lamp-new.mp3', 'a row with no batch recorded is replaced by audio of the same text');

select * from finish();
rollback;
