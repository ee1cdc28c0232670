-- The slice of a Supabase project's database that the platform creates before any migration runs:
-- API roles, auth.uid()/auth.jwt(), the storage and extensions schemas, the Realtime publication.
-- Applied by db_prepare (scripts/lib/database.sh) to local clusters only; never part of supabase/migrations.
-- Shapes follow what Supabase documents for these objects, reduced to what audio-queue touches.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end $$;

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;

create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;

grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;

-- auth: users and the claim helpers RLS policies call. PostgREST and Realtime set
-- request.jwt.claims (and request.jwt.claim.sub) for each request; so does the local gateway.
create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

create table if not exists auth.users (
  id uuid primary key,
  email text unique,
  raw_app_meta_data jsonb not null default '{}'::jsonb,
  raw_user_meta_data jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

grant execute on function auth.jwt(), auth.uid(), auth.role() to anon, authenticated, service_role;

-- storage: buckets and object metadata. The local gateway's Storage subset keeps the bytes under
-- .local/storage/<bucket>/<path> and a row per object here, as Supabase Storage does.
create schema if not exists storage;
grant usage on schema storage to anon, authenticated, service_role;

create table if not exists storage.buckets (
  id text primary key,
  name text not null unique,
  owner uuid,
  public boolean not null default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists storage.objects (
  id uuid primary key default gen_random_uuid(),
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  metadata jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_accessed_at timestamptz not null default now(),
  unique (bucket_id, name)
);

alter table storage.objects enable row level security;
alter table storage.buckets enable row level security;
grant all on storage.buckets, storage.objects to service_role;
grant select on storage.buckets, storage.objects to authenticated;

-- Realtime: Supabase streams the tables added to this publication.
do $$
begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end $$;

-- realtime: the part of Supabase Realtime's own schema that Broadcast from the database uses. On a
-- Supabase project Realtime creates these; they are here so the migrations' policies and calls
-- find them. `realtime.messages` keeps Supabase's columns and primary key (Supabase partitions it
-- by day and drops old partitions; here it is one plain table, pruned by nobody: test and demo
-- databases are short-lived). A private channel's join is authorized by the SELECT policies on it;
-- `realtime.send` inserts a message, and Realtime delivers each inserted row to the channels
-- joined to its topic (private rows to private channels, public rows to public ones).
create schema if not exists realtime;
grant usage on schema realtime to anon, authenticated, service_role;

create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp without time zone not null default now(),
  inserted_at timestamp without time zone not null default now(),
  id uuid not null default gen_random_uuid(),
  primary key (id, inserted_at)
);
alter table realtime.messages enable row level security;
grant insert, select, update on realtime.messages to anon, authenticated, service_role;

-- realtime.topic(): the topic being authorized or sent to. Realtime sets realtime.topic while it
-- checks a join against the policies; realtime.send sets it for the rest of its transaction.
create or replace function realtime.topic() returns text
language sql stable
as $$
  select nullif(current_setting('realtime.topic', true), '')::text
$$;

-- realtime.send(payload, event, topic, private): a Broadcast message from the database. The
-- payload gets the message's id as "id" unless it has one. Like Supabase's, it never fails its
-- caller: an error becomes a warning and the message is lost.
create or replace function realtime.send(
  payload jsonb, event text, topic text, private boolean default true
) returns void
language plpgsql
as $$
declare
  v_id uuid := gen_random_uuid();
begin
  begin
    perform pg_catalog.set_config('realtime.topic', topic, true);
    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (
      v_id,
      case when payload ? 'id' then payload else payload || jsonb_build_object('id', v_id) end,
      event, topic, private, 'broadcast');
  exception when others then
    raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

-- Local stack only: where Realtime reads inserted messages from the WAL, the stand-in
-- (local/realtime) is told of each one by NOTIFY on channel audio_queue_realtime_messages, with
-- the message's id; it reads the row when it delivers. NOTIFY is sent at commit, in commit order,
-- and never for a rolled-back insert (such as the join checks' probe rows).
create or replace function realtime.standin_notify_message() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.extension = 'broadcast' then
    perform pg_catalog.pg_notify('audio_queue_realtime_messages', new.id::text);
  end if;
  return null;
end;
$$;
drop trigger if exists standin_notify_message on realtime.messages;
create trigger standin_notify_message after insert on realtime.messages
for each row execute function realtime.standin_notify_message();
