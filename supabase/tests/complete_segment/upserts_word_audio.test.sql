-- audio.complete_segment: the word now plays the new audio. word_audio keeps one row per
-- (word, kind): a stale row is replaced, a missing one inserted.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
insert into public.word_audio (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes) values
  (audio_test.word_id(1), 'definition', audio.text_hash('A port.'), 'voice-test', 'model-test', 'mp3', 'p/def-old.mp3', 10);

create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_seg on commit drop as
  select id, kind, msg_id from public.audio_segments where batch_id = (select batch_id from t_batch);

select is(
  (select count(*)::integer from t_seg as s where audio.complete_segment(s.id, s.msg_id, 'p/new-' || s.kind || '.mp3', 100)),
  3, 'all three segments complete');

select is(
  (select count(*)::integer from public.word_audio where word_id = audio_test.word_id(1)),
  3, 'one word_audio row per kind');
select results_eq(
  $$select wa.storage_path, wa.text_hash, wa.bytes, wa.segment_id, wa.voice_id from public.word_audio as wa
    where wa.word_id = audio_test.word_id(1) and wa.kind = 'definition'$$,
  $$select 'p/new-definition.mp3'::text, audio.text_hash('A sheltered place for ships.'), 100, id, 'voice-test'::text
    from t_seg where kind = 'definition'$$,
  'the stale definition row now holds the new object, hash and segment');
select is(
  (select storage_path from public.word_audio where word_id = audio_test.word_id(1) and kind = 'sentence'),
  'p/new-sentence.mp3', 'a missing kind gets its row');
select results_eq(
  $$select status, done, finished_at is not null from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('completed', 3, true)$$, 'the batch is completed');

select * from finish();
rollback;
