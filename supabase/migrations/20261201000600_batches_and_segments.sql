-- Batches and their segments: one row per generation request, one row per (word, kind) it covers.
-- The batch's counters and status follow its segments through a trigger (batch_counters
-- migration); updated_at is kept by another (updated_at migration), so no function writes it.

create table public.audio_batches (
  id uuid primary key default gen_random_uuid(),
  status text not null default 'queued' check (
    status in ('queued', 'running', 'completed', 'completed_with_errors', 'cancelling', 'cancelled')
  ),
  total integer not null default 0 check (total >= 0),
  done integer not null default 0 check (done >= 0),
  failed integer not null default 0 check (failed >= 0),
  cancelled integer not null default 0 check (cancelled >= 0),
  skipped integer not null default 0 check (skipped >= 0),
  source text not null default 'admin' check (source in ('admin', 'backfill')),
  requested_by uuid,
  voice_id text not null,
  model_id text not null,
  format text not null,
  kinds text[] not null,
  grade smallint,
  missing_only boolean not null default true,
  cancel_requested_at timestamptz,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now()
);
comment on table public.audio_batches is
  'One generation request. done counts every segment that has audio, skipped the subset that reused audio generated earlier (no provider call).';
create index audio_batches_created_idx on public.audio_batches (created_at desc);

create table public.audio_segments (
  id bigint generated always as identity primary key,
  batch_id uuid not null references public.audio_batches (id) on delete cascade,
  word_id uuid not null references public.words (id) on delete cascade,
  kind text not null check (kind in ('word', 'definition', 'sentence')),
  text text not null,
  text_hash text not null,
  voice_id text not null,
  model_id text not null,
  format text not null,
  status text not null default 'queued' check (
    status in ('queued', 'generating', 'done', 'failed', 'cancelled')
  ),
  attempts integer not null default 0,
  last_error text,
  storage_path text,
  bytes integer,
  -- Time of the provider request that produced the audio, and 429 answers met on the way:
  -- what the demo and the benchmark report, whichever provider is behind the worker.
  provider_ms integer,
  rate_limited integer not null default 0,
  reused boolean not null default false,
  msg_id bigint,
  -- Set when a worker, holding fresh audio, was cleared to upload it: a cancel from then on lets
  -- the segment finish as done, so every upload of a batch starts before its cancel commits.
  upload_started_at timestamptz,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now()
);
create index audio_segments_batch_idx on public.audio_segments (batch_id, id);
create index audio_segments_pending_idx on public.audio_segments (word_id, kind)
  where status in ('queued', 'generating');
create index audio_segments_content_generating_idx
  on public.audio_segments (text_hash, voice_id, model_id, format) where status = 'generating';
