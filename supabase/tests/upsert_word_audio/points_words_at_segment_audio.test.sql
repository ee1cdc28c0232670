-- audio.upsert_word_audio: each given segment's (word, kind) now plays the segment's object; an
-- existing row for that word and kind is replaced whatever its text or voice, other rows stay.
begin;
\ir ../fixtures.psql
select plan(4);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
insert into public.word_audio (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes) values
  (audio_test.word_id(1), 'word', audio.text_hash('harbour'), 'voice-old', 'model-test', 'mp3', 'p/old-word.mp3', 5),
  (audio_test.word_id(1), 'sentence', audio.text_hash('The boat rested in the harbor.'), 'voice-test', 'model-test', 'mp3', 'p/sentence.mp3', 7);
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1], p_kinds => array['word', 'definition']);
update public.audio_segments set storage_path = 'p/new-' || kind || '.mp3', bytes = 100
where batch_id = (select batch_id from t_batch);

select audio.upsert_word_audio(array(select id from public.audio_segments where batch_id = (select batch_id from t_batch)));

select results_eq(
  $$select wa.kind, wa.text_hash, wa.voice_id, wa.storage_path, wa.bytes, wa.segment_id from public.word_audio as wa
    where wa.word_id = audio_test.word_id(1) and wa.kind in ('word', 'definition') order by wa.kind$$,
  $$select s.kind, s.text_hash, s.voice_id, s.storage_path, s.bytes, s.id from public.audio_segments as s
    where s.batch_id = (select batch_id from t_batch) order by s.kind$$,
  'word and definition carry the segments'' hash, voice, object, size and id');
select is((select storage_path from public.word_audio where word_id = audio_test.word_id(1) and kind = 'word'),
  'p/new-word.mp3', 'the stale row (other text and voice) was replaced');
select is((select storage_path from public.word_audio where word_id = audio_test.word_id(1) and kind = 'sentence'),
  'p/sentence.mp3', 'a kind not among the segments is untouched');
select is((select count(*)::integer from public.word_audio where word_id = audio_test.word_id(1)), 3,
  'one row per (word, kind)');

select * from finish();
rollback;
