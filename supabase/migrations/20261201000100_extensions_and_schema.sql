-- The extensions the pipeline needs and the schema of its internals.
--
-- Supabase ships pgmq, pg_net and pg_cron; the local stack installs stand-ins for pgmq and pg_net
-- where the real ones are missing (scripts/lib/standins.sh), so this file is the same on both.
-- pg_cron can only be created in the database named by cron.database_name (postgres, on Supabase
-- and locally). Who may use schema audio is in the grants migration.

create extension if not exists pgmq;
create extension if not exists pg_net with schema extensions;
create extension if not exists pg_cron;

create schema if not exists audio;
comment on schema audio is
  'audio-queue internals: queue, permit and batch functions. Not exposed over the Data API.';
