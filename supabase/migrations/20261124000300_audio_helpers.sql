-- Small shared helpers: the admin check every policy and function uses, the text hash that
-- addresses content, the one mapping from the app's table to segments, and settings lookup.

-- audio.is_admin: true when the caller's JWT says app_metadata.role = super_admin. Only the
-- service role can set app_metadata, so a user cannot make themselves an admin.
create or replace function audio.is_admin()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((auth.jwt() -> 'app_metadata' ->> 'role') = 'super_admin', false)
$$;
comment on function audio.is_admin() is
  'True when the current request''s JWT has app_metadata.role = super_admin. Used by every policy and admin function.';

-- audio.text_hash: hex sha-256 of the NFC-normalised, trimmed text. The TypeScript side
-- (supabase/functions/_shared/provider) computes the same value; tests keep them in step.
create or replace function audio.text_hash(p_text text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select encode(sha256(convert_to(normalize(btrim(p_text), nfc), 'UTF8')), 'hex')
$$;
comment on function audio.text_hash(text) is
  'Content hash of a segment''s text (sha-256 hex of NFC-normalised trimmed text).';

-- audio.segment_sources: the ONE place that maps the app's vocabulary onto segments. To adopt
-- audio-queue on another schema, redefine this view (same columns) and nothing else.
create or replace view audio.segment_sources as
select w.id as word_id, w.grade, k.kind, k.text, audio.text_hash(k.text) as text_hash
from public.words as w
cross join lateral (
  values ('word', w.word), ('definition', w.definition), ('sentence', w.example_sentence)
) as k (kind, text)
where btrim(coalesce(k.text, '')) <> '';
comment on view audio.segment_sources is
  'Every segment the app needs voiced: (word_id, grade, kind, text, text_hash). Edit this view to map another vocabulary table.';

-- audio.setting: read a setting the database needs. Secrets (project_url, worker_secret) come
-- from Supabase Vault (name audio_queue_<key>) where Vault exists, else from audio.config.
create or replace function audio.setting(p_key text)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_value text;
begin
  if to_regclass('vault.decrypted_secrets') is not null then
    -- Built with format() so the query is resolved only where Vault exists (the lint checks a
    -- constant query string against the schema at hand, which may have no Vault).
    execute format('select decrypted_secret from %I.%I where name = $1 limit 1', 'vault', 'decrypted_secrets')
      into v_value using 'audio_queue_' || p_key;
  end if;
  if v_value is null then
    select c.value into v_value from audio.config as c where c.key = p_key;
  end if;
  return v_value;
end;
$$;
comment on function audio.setting(text) is
  'Setting or secret by key: Vault secret audio_queue_<key> where Vault exists, else audio.config.';

-- audio.set_setting: write a setting to audio.config (the fallback store). On Supabase, put
-- secrets in Vault instead: select vault.create_secret('<value>', 'audio_queue_<key>').
create or replace function audio.set_setting(p_key text, p_value text)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into audio.config (key, value) values (p_key, p_value)
  on conflict (key) do update set value = excluded.value, updated_at = now()
$$;
comment on function audio.set_setting(text, text) is
  'Store a setting in audio.config (fallback when Vault is absent).';
