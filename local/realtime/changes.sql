-- LOCAL STACK ONLY — never part of supabase/migrations. The change feed of the Realtime stand-in
-- (local/realtime/server.ts): where Supabase Realtime decodes the WAL of the tables in
-- publication supabase_realtime, the stand-in has a row trigger on each of those tables that
-- sends the change with NOTIFY on channel audio_queue_realtime. Apply this file, then run
-- `select realtime_standin.install()` (again after every migration that adds a table to the
-- publication or changes a primary key). `select realtime_standin.uninstall()` removes the triggers.
--
-- NOTIFY payload (JSON text; PostgreSQL refuses payloads of 8000 bytes or more):
--   { schema, table, type: INSERT|UPDATE|DELETE, commit_timestamp, pk: { <pk column>: text },
--     record?: row (INSERT, UPDATE), old_record?: full old row (UPDATE, DELETE) }
-- When that does not fit, the trigger sends { schema, table, type, commit_timestamp, pk, old_pk?,
-- truncated: true } and the server reads the row by its primary key when it delivers the change
-- (so it sees the row as it is then, and the old row of an UPDATE is reduced to its key).
-- Key values are the text of their JSON form (to_jsonb(value) #>> '{}'), which casts back to the
-- column's type. commit_timestamp is the transaction's start time (now()), in Realtime's format.

create schema if not exists realtime_standin;
revoke all on schema realtime_standin from public;
comment on schema realtime_standin is
  'Local stack only: the Realtime stand-in''s change triggers (local/realtime).';

-- realtime_standin.notify_change: AFTER INSERT/UPDATE/DELETE row trigger; TG_ARGV holds the names of
-- the table's primary key columns (install() passes them). Sends one NOTIFY per changed row.
create or replace function realtime_standin.notify_change()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  -- NOTIFY's payload must be shorter than 8000 bytes in a default build of PostgreSQL.
  c_max_payload constant integer := 7999;
  v_new jsonb;
  v_old jsonb;
  v_pk jsonb := '{}'::jsonb;
  v_old_pk jsonb := '{}'::jsonb;
  v_head jsonb;
  v_payload text;
  i integer;
begin
  if tg_op <> 'DELETE' then
    v_new := pg_catalog.to_jsonb(new);
  end if;
  if tg_op <> 'INSERT' then
    v_old := pg_catalog.to_jsonb(old);
  end if;
  for i in 0 .. tg_nargs - 1 loop
    v_pk := v_pk || pg_catalog.jsonb_build_object(tg_argv[i], coalesce(v_new, v_old) ->> tg_argv[i]);
    if v_old is not null then
      v_old_pk := v_old_pk || pg_catalog.jsonb_build_object(tg_argv[i], v_old ->> tg_argv[i]);
    end if;
  end loop;

  v_head := pg_catalog.jsonb_build_object(
    'schema', tg_table_schema,
    'table', tg_table_name,
    'type', tg_op,
    'commit_timestamp', pg_catalog.to_char(
      pg_catalog.now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'pk', v_pk
  );
  v_payload := (
    v_head
    || case when v_new is null then '{}'::jsonb else pg_catalog.jsonb_build_object('record', v_new) end
    || case when v_old is null then '{}'::jsonb else pg_catalog.jsonb_build_object('old_record', v_old) end
  )::text;
  if pg_catalog.octet_length(v_payload) > c_max_payload then
    v_payload := (
      v_head
      || pg_catalog.jsonb_build_object('truncated', true)
      || case when v_old is null then '{}'::jsonb else pg_catalog.jsonb_build_object('old_pk', v_old_pk) end
    )::text;
  end if;
  perform pg_catalog.pg_notify('audio_queue_realtime', v_payload);
  return null;
end;
$$;
comment on function realtime_standin.notify_change() is
  'Local Realtime stand-in: NOTIFY audio_queue_realtime with the changed row (or only its key when the row does not fit in a NOTIFY payload).';

-- realtime_standin.install: attaches notify_change to every table now in publication
-- supabase_realtime and removes it from tables no longer there. Idempotent; returns the number of
-- tables that stream. Tables without a primary key are skipped with a warning (Realtime needs one).
create or replace function realtime_standin.install()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  r record;
  v_args text;
  v_count integer := 0;
begin
  for r in
    select c.oid, n.nspname, c.relname
    from pg_catalog.pg_publication_tables p
    join pg_catalog.pg_namespace n on n.nspname = p.schemaname
    join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = p.tablename
    where p.pubname = 'supabase_realtime'
  loop
    select pg_catalog.string_agg(pg_catalog.quote_literal(a.attname), ', ' order by k.ord)
    into v_args
    from pg_catalog.pg_index i
    cross join lateral pg_catalog.unnest(i.indkey) with ordinality as k(attnum, ord)
    join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
    where i.indrelid = r.oid and i.indisprimary;

    execute pg_catalog.format('drop trigger if exists realtime_standin_changes on %I.%I', r.nspname, r.relname);
    if v_args is null then
      raise warning 'realtime_standin.install: %.% has no primary key; it will not stream (add one)',
        r.nspname, r.relname;
      continue;
    end if;
    execute pg_catalog.format(
      'create trigger realtime_standin_changes after insert or update or delete on %I.%I '
      'for each row execute function realtime_standin.notify_change(%s)',
      r.nspname, r.relname, v_args);
    v_count := v_count + 1;
  end loop;

  -- Tables that left the publication stop streaming.
  for r in
    select n.nspname, c.relname
    from pg_catalog.pg_trigger t
    join pg_catalog.pg_class c on c.oid = t.tgrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where t.tgname = 'realtime_standin_changes'
      and not exists (
        select 1 from pg_catalog.pg_publication_tables p
        where p.pubname = 'supabase_realtime' and p.schemaname = n.nspname and p.tablename = c.relname)
  loop
    execute pg_catalog.format('drop trigger realtime_standin_changes on %I.%I', r.nspname, r.relname);
  end loop;
  return v_count;
end;
$$;
comment on function realtime_standin.install() is
  'Local Realtime stand-in: (re)attaches the change trigger to every table in publication supabase_realtime. Re-run after migrations.';

-- realtime_standin.uninstall: removes every stand-in trigger (the functions stay). Returns how many.
create or replace function realtime_standin.uninstall()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  r record;
  v_count integer := 0;
begin
  for r in
    select n.nspname, c.relname
    from pg_catalog.pg_trigger t
    join pg_catalog.pg_class c on c.oid = t.tgrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where t.tgname = 'realtime_standin_changes'
  loop
    execute pg_catalog.format('drop trigger realtime_standin_changes on %I.%I', r.nspname, r.relname);
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;
comment on function realtime_standin.uninstall() is
  'Local Realtime stand-in: drops the change trigger from every table.';

revoke execute on function realtime_standin.install(), realtime_standin.uninstall() from public;
