-- Realtime: the supabase_realtime publication streams audio_batches and audio_segments to the
-- admin page (and not word_audio or words, which it does not watch).
begin;
\ir ../fixtures.psql
select plan(2);

select isnt_empty(
  $$select 1 from pg_publication_tables where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'audio_batches'$$,
  'supabase_realtime contains public.audio_batches');
select isnt_empty(
  $$select 1 from pg_publication_tables where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'audio_segments'$$,
  'supabase_realtime contains public.audio_segments');

select * from finish();
rollback;
