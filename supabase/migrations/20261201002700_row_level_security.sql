-- Row-level security on every table: admins (audio.is_admin) read the public tables; nobody reads
-- or writes the audio tables through the API. Writes happen only in the audio functions and as
-- the service role. Which role may touch what at all is in the grants migration.

alter table public.words enable row level security;
alter table public.audio_batches enable row level security;
alter table public.audio_segments enable row level security;
alter table public.word_audio enable row level security;
alter table audio.generated_audio enable row level security;
alter table audio.permits enable row level security;
alter table audio.config enable row level security;
alter table audio.workers enable row level security;

create policy "admins read words" on public.words
  for select to authenticated using ((select audio.is_admin()));
create policy "admins read batches" on public.audio_batches
  for select to authenticated using ((select audio.is_admin()));
create policy "admins read segments" on public.audio_segments
  for select to authenticated using ((select audio.is_admin()));
create policy "admins read word audio" on public.word_audio
  for select to authenticated using ((select audio.is_admin()));
