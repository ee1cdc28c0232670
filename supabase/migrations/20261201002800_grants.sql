-- Every grant and revoke of the project, in one place. The API roles (anon, authenticated) read
-- the public tables under row-level security and write nothing; they call no audio function
-- except audio.is_admin, which the policies evaluate as the requesting user. The worker and the
-- Edge Functions connect as the database owner (SUPABASE_DB_URL) and need no grant.

-- Schema audio: not exposed to anon; authenticated needs usage for audio.is_admin in policies.
revoke all on schema audio from public;
grant usage on schema audio to authenticated, service_role;

-- The public tables: admins read through RLS; the service role does anything.
revoke all on public.audio_batches, public.audio_segments, public.word_audio from anon, authenticated;
revoke insert, update, delete, truncate on public.words from anon, authenticated;
grant select on public.words, public.audio_batches, public.audio_segments, public.word_audio to authenticated;
grant all on public.words, public.audio_batches, public.audio_segments, public.word_audio to service_role;

-- The audio tables and functions: no API role, except audio.is_admin. Functions added by later
-- migrations are not executable by public either (default privileges).
revoke all on all tables in schema audio from public, anon, authenticated;
revoke execute on all functions in schema audio from public, anon, authenticated;
alter default privileges in schema audio revoke execute on functions from public;
grant execute on function audio.is_admin() to authenticated, service_role;
