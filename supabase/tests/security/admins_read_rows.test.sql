-- RLS: an admin (app_metadata.role = super_admin) reads the words, batches, segments and
-- word_audio rows (the admin page's view of the pipeline).
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(4);

insert into public.words (id, word, definition, example_sentence, grade) values
  ('99000000-0000-4000-8000-000000000001', 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.', 99);
insert into public.word_audio (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes) values
  ('99000000-0000-4000-8000-000000000001', 'word', audio.text_hash('harbor'), 'voice-test', 'model-test', 'mp3', 'p/w.mp3', 10);
create temporary table t_batch on commit drop as
  select * from audio.create_batch(p_word_ids => array['99000000-0000-4000-8000-000000000001']::uuid[],
    p_missing_only => false, p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
-- The batch id as a literal the authenticated role can read (it cannot read this temp table).
select set_config('test.batch_id', (select batch_id::text from t_batch), true);

set local role authenticated;
select set_config('request.jwt.claims',
  '{"sub":"99000000-0000-4000-8000-0000000000a1","role":"authenticated","app_metadata":{"role":"super_admin"}}', true);

select is((select count(*)::integer from public.words where id = '99000000-0000-4000-8000-000000000001'), 1,
  'words: the admin sees the word');
select is((select count(*)::integer from public.audio_batches where id = current_setting('test.batch_id')::uuid), 1,
  'audio_batches: the admin sees the batch');
select is((select count(*)::integer from public.audio_segments where batch_id = current_setting('test.batch_id')::uuid), 3,
  'audio_segments: the admin sees its three segments');
select is((select count(*)::integer from public.word_audio where word_id = '99000000-0000-4000-8000-000000000001'), 1,
  'word_audio: the admin sees the audio row');
reset role;

select * from finish();
rollback;
