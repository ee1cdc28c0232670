-- Settings the database itself needs: the project URL and worker secret for pg_cron's HTTP kicks,
-- and the default voice, model and format of batches that name none (the nightly backfill), which
-- start-batch keeps equal to the deployment's settings.
-- Secrets belong in Supabase Vault where it exists; audio.config is the fallback, readable by no
-- API role.

create table audio.config (
  key text primary key,
  value text not null,
  updated_at timestamptz not null default now()
);

-- audio.setting: a setting by key: the Vault secret audio_queue_<key> where Vault exists, else
-- the row in audio.config; null when neither has it.
create function audio.setting(p_key text)
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

-- audio.set_setting: store a setting in audio.config (the fallback store); a value equal to the
-- stored one writes nothing, so updated_at says when the value last changed. On Supabase put
-- secrets in Vault instead: select vault.create_secret('<value>', 'audio_queue_<key>').
create function audio.set_setting(p_key text, p_value text)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into audio.config as c (key, value) values (p_key, p_value)
  on conflict (key) do update set value = excluded.value, updated_at = now()
  where c.value is distinct from excluded.value
$$;
comment on function audio.set_setting(text, text) is
  'Store a setting in audio.config (fallback when Vault is absent); an unchanged value is not rewritten.';

-- audio.store_defaults: store the database's default voice, model and format (what a batch that
-- names none uses, e.g. the nightly backfill) from {"voice_id", "model_id", "format"}, each key
-- optional; null stores nothing. Anything else (another key, a value that is not a non-empty
-- string) is an error (22023) and stores nothing.
create function audio.store_defaults(p_defaults jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_defaults is null then
    return;
  end if;
  if jsonb_typeof(p_defaults) <> 'object' or exists (
    select 1 from jsonb_each(p_defaults) as d
    where d.key not in ('voice_id', 'model_id', 'format') or jsonb_typeof(d.value) <> 'string'
      or btrim(d.value #>> '{}') = ''
  ) then
    raise exception 'audio.store_defaults: defaults must be an object of non-empty strings under voice_id, model_id, format'
      using errcode = '22023';
  end if;
  perform audio.set_setting(d.key, d.value #>> '{}') from jsonb_each(p_defaults) as d;
end;
$$;
comment on function audio.store_defaults(jsonb) is
  'Store default voice_id, model_id and/or format from a JSON object (each a non-empty string).';
