-- Numbers and names the SQL shares with the TypeScript side, one small immutable function each,
-- so a reader finds the value and its reason in one place and the SQL that depends on it says
-- which one it means. The TypeScript config (supabase/functions/_shared, scripts/worker.ts) names
-- the same values; the two must stay equal.

-- audio.max_concurrency: how many permit slots exist, i.e. the most provider requests all workers
-- together may have in flight. 20 leaves room above Cartesia's Scale plan (15 concurrent
-- requests, the largest of Free 2, Pro 3, Startup 5, Scale 15); AUDIO_GENERATION_CONCURRENCY must
-- lie in 1..20 and begin_attempt refuses a limit outside it.
create function audio.max_concurrency()
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select 20
$$;
comment on function audio.max_concurrency() is
  'Number of permit slots (20): the upper bound of AUDIO_GENERATION_CONCURRENCY and of begin_attempt''s limit.';

-- audio.worker_stale_s: a worker whose last heartbeat is older than this counts as gone. Workers
-- heartbeat on every claim and every few seconds while busy (well inside 30 s), so 30 s without
-- one means the process died or left; kick_worker then starts another.
create function audio.worker_stale_s()
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select 30
$$;
comment on function audio.worker_stale_s() is
  'Seconds without a heartbeat after which a worker counts as gone (30): worker_alive''s default, used by kick_worker.';

-- audio.default_max_reads: how often a message may be delivered before its segment fails and the
-- message goes to the archive. A message read this often without its segment finishing keeps
-- killing or stalling its workers; failing it with that reason beats retrying it for ever.
create function audio.default_max_reads()
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select 5
$$;
comment on function audio.default_max_reads() is
  'Deliveries of one message before its segment fails (5): claim_segments'' default, AUDIO_MAX_READS''s default.';

-- audio.kick_timeout_ms: how long an HTTP kick of process-segments may take. The function answers
-- 202 before it works, so 5 s covers a cold start; a kick that times out is not lost work, since
-- the watchdog kicks again while messages wait.
create function audio.kick_timeout_ms()
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select 5000
$$;
comment on function audio.kick_timeout_ms() is
  'Timeout of a kick of process-segments in milliseconds (5000), from pg_net and from the TypeScript kick.';

-- audio.work_channel: the NOTIFY channel that tells long-lived workers (scripts/worker) that
-- messages were queued, so they start at once instead of at their next poll.
create function audio.work_channel()
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select 'audio_queue_work'::text
$$;
comment on function audio.work_channel() is
  'NOTIFY channel on which queueing wakes listening workers (audio_queue_work); the payload is the batch id.';
