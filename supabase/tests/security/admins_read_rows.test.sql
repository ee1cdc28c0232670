-- RLS: an admin (app_metadata.role = super_admin) reads the words, batches, segments and
-- word_audio rows (the admin page's view of the pipeline).
begin;
\ir ../fixtures.psql
select plan(4);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
insert into public.word_audio (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes) values
  (audio_test.word_id(1), 'word', audio.text_hash('harbor'), 'voice-test', 'model-test', 'mp3', 'p/w.mp3', 10);
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1], p_missing_only => false);
-- The batch id as a literal the authenticated role can read (it cannot read this temp table).
select set_config('test.batch_id', (select batch_id::text from t_batch), true);

set local role authenticated;
select set_config('request.jwt.claims', audio_test.admin_claims(), true);

select is((select count(*)::integer from public.words where id = audio_test.word_id(1)), 1,
  'words: the admin sees the word');
select is((select count(*)::integer from public.audio_batches where id = current_setting('test.batch_id')::uuid), 1,
  'audio_batches: the admin sees the batch');
select is((select count(*)::integer from public.audio_segments where batch_id = current_setting('test.batch_id')::uuid), 3,
  'audio_segments: the admin sees its three segments');
select is((select count(*)::integer from public.word_audio where word_id = audio_test.word_id(1)), 1,
  'word_audio: the admin sees the audio row');
reset role;

select * from finish();
rollback;
