-- The tables Supabase Realtime streams to the admin page: batches and segments (not words or
-- word_audio, which the page reads on demand). Where the publication does not exist (a plain
-- Postgres), say so and go on: everything else works without Realtime.

do $$
begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    raise notice 'publication supabase_realtime not found: Realtime will not stream audio tables';
    return;
  end if;
  if not exists (
    select 1 from pg_publication_tables
    where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'audio_batches'
  ) then
    alter publication supabase_realtime add table public.audio_batches;
  end if;
  if not exists (
    select 1 from pg_publication_tables
    where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'audio_segments'
  ) then
    alter publication supabase_realtime add table public.audio_segments;
  end if;
end $$;
