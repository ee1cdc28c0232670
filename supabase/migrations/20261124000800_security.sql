-- Row-level security and grants: admins (audio.is_admin) read; writes only through the audio
-- functions and the service role. The audio schema's functions are not callable by API roles,
-- except is_admin, which policies evaluate as the requesting user.

alter table public.words enable row level security;
alter table public.audio_batches enable row level security;
alter table public.audio_segments enable row level security;
alter table public.word_audio enable row level security;
alter table audio.generated_audio enable row level security;
alter table audio.permits enable row level security;
alter table audio.config enable row level security;

create policy "admins read words" on public.words
  for select to authenticated using ((select audio.is_admin()));
create policy "admins read batches" on public.audio_batches
  for select to authenticated using ((select audio.is_admin()));
create policy "admins read segments" on public.audio_segments
  for select to authenticated using ((select audio.is_admin()));
create policy "admins read word audio" on public.word_audio
  for select to authenticated using ((select audio.is_admin()));

revoke all on public.audio_batches, public.audio_segments, public.word_audio from anon, authenticated;
revoke insert, update, delete, truncate on public.words from anon, authenticated;
grant select on public.words, public.audio_batches, public.audio_segments, public.word_audio to authenticated;
grant all on public.words, public.audio_batches, public.audio_segments, public.word_audio to service_role;

revoke all on all tables in schema audio from public, anon, authenticated;
revoke execute on all functions in schema audio from public, anon, authenticated;
alter default privileges in schema audio revoke execute on functions from public;
grant usage on schema audio to authenticated, service_role;
grant execute on function audio.is_admin() to authenticated, service_role;
