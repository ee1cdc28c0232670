-- Extensions the pipeline needs. Supabase ships all three; the local stack installs stand-ins for
-- pgmq and pg_net where the real ones are missing (scripts/lib/standins.sh), so this file is the
-- same on both. pg_cron must live in the database named by cron.database_name (postgres).
create extension if not exists pgmq;
create extension if not exists pg_net with schema extensions;
create extension if not exists pg_cron;

create schema if not exists audio;
comment on schema audio is
  'audio-queue internals: queue, permit and batch functions. Not exposed over the Data API.';
revoke all on schema audio from public;

-- The queue of segments to voice; message body { "segment_id": <audio_segments.id> }.
do $$
begin
  if not exists (select 1 from pgmq.list_queues() as q where q.queue_name = 'audio_segments') then
    perform pgmq.create(queue_name => 'audio_segments'::text);
  end if;
end $$;
