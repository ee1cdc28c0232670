-- Realtime: the admin page follows the database's Broadcast messages, so the supabase_realtime
-- publication streams none of the project's tables (Supabase would decode and RLS-check every
-- change of a published table for every subscriber, for no reader).
begin;
\ir ../fixtures.psql
select plan(2);

select ok(
  exists (select 1 from pg_publication where pubname = 'supabase_realtime'),
  'the publication itself is the platform''s and stays');
select is_empty(
  $$select tablename from pg_publication_tables
    where pubname = 'supabase_realtime' and schemaname = 'public'
      and tablename in ('audio_batches', 'audio_segments', 'word_audio', 'words')$$,
  'supabase_realtime holds no audio-queue table');

select * from finish();
rollback;
