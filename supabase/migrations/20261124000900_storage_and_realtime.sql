-- The Storage bucket the worker uploads to (private: the app reads through signed URLs or its own
-- policy), and the tables Realtime streams to the admin page.

insert into storage.buckets (id, name, public)
values ('word-audio', 'word-audio', false)
on conflict (id) do nothing;

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
