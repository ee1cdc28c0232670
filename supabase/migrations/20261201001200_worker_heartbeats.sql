-- Workers say they are alive, so kicks do not pile up invocations. Without this, pg_cron's
-- watchdog (every 10 s on Supabase) would start another process-segments whenever messages are
-- visible, which they are during any long batch, and each invocation hands over to a fresh one at
-- its time budget, so invocations would accumulate until the queue drained.

create table audio.workers (
  holder text primary key,
  started_at timestamptz not null default now(),
  heartbeat_at timestamptz not null default now()
);

-- audio.worker_heartbeat: this worker is alive. claim_segments records it on every claim; a busy
-- worker (every slot waiting on the provider, nothing to claim) calls it directly.
create function audio.worker_heartbeat(p_holder text)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into audio.workers as w (holder) values (p_holder)
  on conflict (holder) do update set heartbeat_at = clock_timestamp()
$$;
comment on function audio.worker_heartbeat(text) is
  'Record that this worker is alive.';

-- audio.worker_alive: whether some worker heartbeated within the last p_within_s seconds.
create function audio.worker_alive(p_within_s integer default audio.worker_stale_s())
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from audio.workers as w
    where w.heartbeat_at > clock_timestamp() - make_interval(secs => p_within_s)
  )
$$;
comment on function audio.worker_alive(integer) is
  'True when some worker heartbeated within the last p_within_s seconds (default audio.worker_stale_s()).';

-- audio.worker_stopped: a worker leaving says so, so the next kick need not wait for its
-- heartbeat to age out. Also removes rows of workers that died without saying so: an hour is far
-- past worker_stale_s, so such a row only takes space.
create function audio.worker_stopped(p_holder text)
returns void
language sql
security definer
set search_path = ''
as $$
  delete from audio.workers as w where w.holder = p_holder
    or w.heartbeat_at < clock_timestamp() - interval '1 hour'
$$;
comment on function audio.worker_stopped(text) is
  'Remove a worker''s heartbeat (and any older than an hour).';
