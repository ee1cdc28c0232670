-- audio.upsert_word_audio: an older batch finishing after a newer one (here in another voice)
-- does not replace the newer batch's audio; a newer batch does replace an older one's.
begin;
\ir ../fixtures.psql
select plan(4);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor');
create temporary table t_old on commit drop as
  select * from audio_test.create_batch(array[1], p_kinds => array['word'], p_voice_id => 'voice-a');
-- The newer batch: created a minute later (a batch's order is its created_at).
create temporary table t_new on commit drop as
  select * from audio_test.create_batch(array[1], p_kinds => array['word'], p_missing_only => false, p_voice_id => 'voice-b');
update public.audio_batches set created_at = created_at + interval '1 minute' where id = (select batch_id from t_new);

select audio.complete_segment(s.id, s.msg_id, 'p/b.mp3', 20)
from public.audio_segments as s where s.batch_id = (select batch_id from t_new);
select audio.complete_segment(s.id, s.msg_id, 'p/a.mp3', 10)
from public.audio_segments as s where s.batch_id = (select batch_id from t_old);

select results_eq(
  $$select voice_id, storage_path, batch_id from public.word_audio where word_id = audio_test.word_id(1) and kind = 'word'$$,
  $$select 'voice-b', 'p/b.mp3', batch_id from t_new$$,
  'the older batch (voice-a) finishing last leaves the newer batch''s audio (voice-b)');
select results_eq(
  $$select status from public.audio_batches where id in ((select batch_id from t_old), (select batch_id from t_new))$$,
  $$values ('completed'), ('completed')$$, 'both batches complete all the same');

-- A third, newer batch in voice-a replaces it.
create temporary table t_newest on commit drop as
  select * from audio_test.create_batch(array[1], p_kinds => array['word'], p_missing_only => false, p_voice_id => 'voice-c');
update public.audio_batches set created_at = created_at + interval '2 minutes' where id = (select batch_id from t_newest);
select audio.complete_segment(s.id, s.msg_id, 'p/c.mp3', 30)
from public.audio_segments as s where s.batch_id = (select batch_id from t_newest);
select results_eq(
  $$select voice_id, storage_path, batch_created_at = (select created_at from public.audio_batches where id = (select batch_id from t_newest))
    from public.word_audio where word_id = audio_test.word_id(1) and kind = 'word'$$,
  $$values ('voice-c', 'p/c.mp3', true)$$, 'a newer batch replaces the row and is recorded as its writer');

-- The same segment completing again (a redelivered upsert) keeps its row: a tie goes through.
select audio.upsert_word_audio(array(select id from public.audio_segments where batch_id = (select batch_id from t_newest)));
select is((select storage_path from public.word_audio where word_id = audio_test.word_id(1) and kind = 'word'),
  'p/c.mp3', 'the same batch writing again is allowed');

select * from finish();
rollback;
