-- The extensions the pipeline needs and the schema of its internals.
--
-- Supabase ships pgmq, pg_net and pg_cron; the local stack installs stand-ins for pgmq and pg_net
-- where the real ones are missing (scripts/lib/standins.sh), so this file is the same on both.
-- pg_cron can only be created in the database named by cron.database_name (postgres, on Supabase
-- and locally). Who may use schema audio is in the grants migration.
--
-- pgmq must be 1.5.1 or later, the version the project is built and tested against (local/pgmq
-- models it): the claims read the queue table's headers column and pgmq.message_record's headers,
-- which pgmq 1.5 added. `create extension if not exists` leaves a pgmq already installed at its
-- version (Supabase projects that enabled it before 1.5.1 shipped have 1.4.4), where every claim
-- would fail at run time; so the migrations stop here instead, saying what to run. Versions are
-- compared as numbers (1.10 is later than 1.5). A database that already ran this file is
-- unaffected: the check is in this file, not a later one, because nothing after it may build on
-- an older pgmq.

create extension if not exists pgmq;
do $$
declare
  v_installed text := (select e.extversion from pg_catalog.pg_extension as e where e.extname = 'pgmq');
  v_offered text := (select a.default_version from pg_catalog.pg_available_extensions as a where a.name = 'pgmq');
  v_needed constant integer[] := array[1, 5, 1];
begin
  if string_to_array(substring(v_installed from '^[0-9]+(?:\.[0-9]+)*'), '.')::integer[] < v_needed then
    raise exception 'pgmq % is installed, but audio-queue needs pgmq 1.5.1 or later: run "alter extension pgmq update;", then apply the migrations again', v_installed
      using errcode = '55000',
        detail = 'create extension if not exists keeps an installed pgmq at its version; the claims read the headers column that pgmq 1.5 added.',
        hint = case
          when string_to_array(substring(v_offered from '^[0-9]+(?:\.[0-9]+)*'), '.')::integer[] >= v_needed
            then format('alter extension pgmq update installs pgmq %s, the version this server offers.', v_offered)
          else format('alter extension pgmq update would install pgmq %s, the version this server offers: upgrade the project''s Postgres to a release that ships pgmq 1.5.1 first.', coalesce(v_offered, '(none)'))
        end;
  end if;
end;
$$;
create extension if not exists pg_net with schema extensions;
create extension if not exists pg_cron;

create schema if not exists audio;
comment on schema audio is
  'audio-queue internals: queue, permit and batch functions. Not exposed over the Data API.';
