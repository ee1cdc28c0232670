-- Grants: the API roles write nothing directly, not even an admin; writes go through the audio
-- functions (service side) and the service role.
begin;
\ir ../fixtures.psql
select plan(10);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select * from audio_test.create_batch(array[1]);

set local role authenticated;
select set_config('request.jwt.claims', audio_test.admin_claims(), true);

-- Word 1's id as a literal below: a fixture call could itself fail with 42501 and pass the test.
select throws_ok($$insert into public.words (word, grade) values ('intruder', 99)$$, '42501', null,
  'admin cannot insert words');
select throws_ok($$update public.words set word = 'changed' where id = '99000000-0000-4000-8000-000000000001'$$, '42501', null,
  'admin cannot update words');
select throws_ok($$delete from public.words where id = '99000000-0000-4000-8000-000000000001'$$, '42501', null,
  'admin cannot delete words');
select throws_ok($$insert into public.audio_batches (voice_id, model_id, format, kinds) values ('v', 'm', 'mp3', array['word'])$$,
  '42501', null, 'admin cannot insert audio_batches');
select throws_ok($$update public.audio_batches set status = 'cancelled'$$, '42501', null,
  'admin cannot update audio_batches');
select throws_ok($$delete from public.audio_segments$$, '42501', null, 'admin cannot delete audio_segments');
select throws_ok($$update public.audio_segments set status = 'done'$$, '42501', null, 'admin cannot update audio_segments');
select throws_ok(
  $$insert into public.word_audio (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes)
    values ('99000000-0000-4000-8000-000000000001', 'word', 'h', 'v', 'm', 'mp3', 'p', 1)$$,
  '42501', null, 'admin cannot insert word_audio');
select throws_ok($$delete from public.word_audio$$, '42501', null, 'admin cannot delete word_audio');
reset role;

set local role anon;
select throws_ok($$insert into public.words (word, grade) values ('intruder', 99)$$, '42501', null, 'anon cannot insert words');
reset role;

select * from finish();
rollback;
