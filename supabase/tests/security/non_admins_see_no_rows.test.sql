-- RLS: an authenticated user who is not an admin (even one claiming super_admin in the
-- user-editable user_metadata) reads no row of the four public tables; anon reads no word either.
begin;
\ir ../fixtures.psql
select plan(6);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
insert into public.word_audio (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes) values
  (audio_test.word_id(1), 'word', audio.text_hash('harbor'), 'voice-test', 'model-test', 'mp3', 'p/w.mp3', 10);
select * from audio_test.create_batch(array[1], p_missing_only => false);

set local role authenticated;
select set_config('request.jwt.claims',
  '{"sub":"99000000-0000-4000-8000-0000000000a3","role":"authenticated","user_metadata":{"role":"super_admin"}}', true);

select is((select count(*)::integer from public.words), 0, 'words: no rows for a non-admin');
select is((select count(*)::integer from public.audio_batches), 0, 'audio_batches: no rows for a non-admin');
select is((select count(*)::integer from public.audio_segments), 0, 'audio_segments: no rows for a non-admin');
select is((select count(*)::integer from public.word_audio), 0, 'word_audio: no rows for a non-admin');

reset role;
set local role anon;
select set_config('request.jwt.claims', '{"role":"anon"}', true);
select is((select count(*)::integer from public.words), 0, 'words: no rows for anon');
select throws_ok('select count(*) from public.audio_batches', '42501', null, 'anon may not read audio_batches at all');
reset role;

select * from finish();
rollback;
