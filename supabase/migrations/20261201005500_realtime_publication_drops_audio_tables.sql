-- The admin page follows the database's Broadcast messages (batch:<id>, batches), no longer
-- postgres_changes, so public.audio_batches and public.audio_segments leave the Realtime
-- publication: on Supabase every published table's changes are decoded from the WAL and checked
-- against RLS for every subscriber, work nothing needs any more. Where the publication does not
-- exist (a plain Postgres) or no longer holds them, nothing changes.

do $$
declare
  v_table text;
begin
  if not exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
    return;
  end if;
  foreach v_table in array array['audio_batches', 'audio_segments'] loop
    if exists (
      select 1 from pg_catalog.pg_publication_tables
      where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = v_table
    ) then
      execute pg_catalog.format('alter publication supabase_realtime drop table public.%I', v_table);
    end if;
  end loop;
end $$;
