-- Workers say they are alive, so kicks do not pile up invocations. Without this, pg_cron's watchdog
-- (every 10 s on Supabase) would start another process-segments whenever messages are visible —
-- which they are during any long batch — and each invocation hands over to a fresh one at its time
-- budget, so invocations would accumulate until the queue drained.

create table audio.workers (
  holder text primary key,
  started_at timestamptz not null default now(),
  heartbeat_at timestamptz not null default now()
);
alter table audio.workers enable row level security;
revoke all on audio.workers from public, anon, authenticated;

-- A worker heartbeats on every claim (it claims at least every poll period while it runs, busy
-- or idle), so a heartbeat older than this means the worker is gone.
create or replace function audio.worker_alive(p_within_s integer default 30)
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
  'True when some worker heartbeated within the last p_within_s seconds.';

-- audio.worker_stopped: a worker leaving says so, so the next kick need not wait for its
-- heartbeat to age out.
create or replace function audio.worker_stopped(p_holder text)
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

-- claim_segments gains the caller's name and records its heartbeat; the rest is unchanged.
drop function audio.claim_segments(integer, integer, integer);
create function audio.claim_segments(
  p_qty integer,
  p_vt_s integer,
  p_max_reads integer default 5,
  p_holder text default null
)
returns table (
  msg_id bigint, read_ct integer, segment_id bigint, batch_id uuid, text text, text_hash text,
  voice_id text, model_id text, format text
)
language plpgsql
security definer
set search_path = ''
as $$
declare
  m record;
  s record;
begin
  if p_holder is not null then
    insert into audio.workers as w (holder) values (p_holder)
    on conflict (holder) do update set heartbeat_at = clock_timestamp();
  end if;
  for m in select * from pgmq.read(queue_name => 'audio_segments'::text, vt => p_vt_s, qty => p_qty) loop
    select seg.id, seg.status, seg.batch_id, seg.text, seg.text_hash, seg.voice_id, seg.model_id,
      seg.format, b.cancel_requested_at
    into s
    from public.audio_segments as seg
    join public.audio_batches as b on b.id = seg.batch_id
    where seg.id = (m.message ->> 'segment_id')::bigint
    for update of seg;

    if not found or s.status not in ('queued', 'generating') then
      perform pgmq.delete(queue_name => 'audio_segments'::text, msg_id => m.msg_id::bigint);
    elsif s.cancel_requested_at is not null then
      update public.audio_segments as seg set status = 'cancelled', finished_at = now(), updated_at = now()
      where seg.id = s.id;
      perform pgmq.delete(queue_name => 'audio_segments'::text, msg_id => m.msg_id::bigint);
    elsif m.read_ct > p_max_reads then
      update public.audio_segments as seg set status = 'failed', finished_at = now(), updated_at = now(),
        last_error = format('delivered %s times without finishing (limit %s); message archived', m.read_ct, p_max_reads)
      where seg.id = s.id;
      perform pgmq.archive(queue_name => 'audio_segments'::text, msg_id => m.msg_id::bigint);
    else
      msg_id := m.msg_id;
      read_ct := m.read_ct;
      segment_id := s.id;
      batch_id := s.batch_id;
      text := s.text;
      text_hash := s.text_hash;
      voice_id := s.voice_id;
      model_id := s.model_id;
      format := s.format;
      return next;
    end if;
  end loop;
end;
$$;
comment on function audio.claim_segments(integer, integer, integer, text) is
  'Record the caller''s heartbeat; read queue messages and return live segments; clean up finished/cancelled ones; archive over-delivered ones.';

-- kick_worker now leaves a running worker alone: it claims visible messages by itself.
create or replace function audio.kick_worker(p_reason text default 'cron')
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_url text := audio.setting('project_url');
  v_secret text := audio.setting('worker_secret');
begin
  if not exists (select 1 from pgmq.q_audio_segments as q where q.vt <= clock_timestamp())
    or audio.worker_alive(30) then
    return null;
  end if;
  if v_url is null or v_secret is null then
    raise exception 'audio.kick_worker: % is not set: store it in Vault as audio_queue_% (or select audio.set_setting(''%'', ''...''))',
      case when v_url is null then 'project_url' else 'worker_secret' end,
      case when v_url is null then 'project_url' else 'worker_secret' end,
      case when v_url is null then 'project_url' else 'worker_secret' end
      using errcode = '22023';
  end if;
  return net.http_post(
    url => rtrim(v_url, '/') || '/functions/v1/process-segments',
    body => jsonb_build_object('reason', p_reason),
    headers => jsonb_build_object('Content-Type', 'application/json', 'x-worker-secret', v_secret),
    timeout_milliseconds => 5000
  );
end;
$$;
comment on function audio.kick_worker(text) is
  'If the queue has visible messages and no worker is alive, POST process-segments (pg_net) with the worker secret; returns the request id or null.';

revoke execute on function audio.worker_alive(integer), audio.worker_stopped(text),
  audio.claim_segments(integer, integer, integer, text), audio.kick_worker(text)
  from public, anon, authenticated;

-- audio.worker_heartbeat: a busy worker (every slot waiting on the provider, nothing to claim)
-- still says it is alive.
create or replace function audio.worker_heartbeat(p_holder text)
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
revoke execute on function audio.worker_heartbeat(text) from public, anon, authenticated;
