-- When the database broadcasts (audio.broadcast_batch decides what): Supabase's pg_cron 1.6 has
-- second schedules but older ones have none, so nothing here waits for a schedule. Instead:
--   1. every segment statement that changes statuses files the changes with its batch
--      (audio_segments_to_broadcast);
--   2. every transaction that inserts or updates a batch row asks, at commit, for a broadcast
--      (audio_batches_broadcast): a status change or an end goes out then, always; other changes
--      go out if half a second has passed since the last broadcast and the budget allows;
--   3. what was held back goes out when a worker next records its heartbeat (every claim, and
--      every few seconds while busy: audio_workers_flush_broadcasts), or with the batch's next
--      change, whichever comes first.
-- Worst-case lag of a held-back change while a worker runs: the heartbeat period (5 s, when every
-- slot waits on the provider and nothing is claimed); the final state has none.
-- Locks: each path takes a batch row before its broadcast state row (the flush at heartbeats
-- skips any it cannot take at once), so the paths never deadlock each other or the workers.

-- audio.collect_segment_changes: after-update statement trigger on public.audio_segments. Files
-- each segment's status change (id, word_id, kind, status, storage_path and last_error when set)
-- with its batch, up to broadcast_changes_cap() waiting per batch; past it, `changes_more`.
create function audio.collect_segment_changes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  c_cap constant integer := audio.broadcast_changes_cap();
begin
  -- Counted first, listed only where they fit: a cancel of 300,000 segments builds no list.
  insert into audio.batch_broadcasts as s (batch_id, changes, changes_more, dirty)
  select c.batch_id, coalesce(l.list, '[]'::jsonb), c.n > c_cap, true
  from (
    select n.batch_id, count(*) as n
    from new_rows as n
    join old_rows as o on o.id = n.id
    where n.status is distinct from o.status
    group by n.batch_id
  ) as c
  left join lateral (
    select pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
      'id', n.id, 'word_id', n.word_id, 'kind', n.kind, 'status', n.status,
      'storage_path', n.storage_path, 'error', n.last_error)) order by n.id) as list
    from new_rows as n
    join old_rows as o on o.id = n.id
    where c.n <= c_cap and n.batch_id = c.batch_id and n.status is distinct from o.status
  ) as l on true
  order by c.batch_id
  on conflict (batch_id) do update set
    changes_more = s.changes_more or excluded.changes_more
      or pg_catalog.jsonb_array_length(s.changes) + pg_catalog.jsonb_array_length(excluded.changes) > c_cap,
    changes = case
      when s.changes_more or excluded.changes_more
        or pg_catalog.jsonb_array_length(s.changes) + pg_catalog.jsonb_array_length(excluded.changes) > c_cap
      then '[]'::jsonb
      else s.changes || excluded.changes end,
    dirty = true;
  return null;
end;
$$;
comment on function audio.collect_segment_changes() is
  'Trigger: file segment status changes with their batch for the next segments broadcast.';

-- Named to fire after audio_segments_sync_batch (statement triggers fire in name order), so the
-- batch row is locked before its broadcast state row, as on every other path.
create trigger audio_segments_to_broadcast
after update on public.audio_segments
referencing old table as old_rows new table as new_rows
for each statement execute function audio.collect_segment_changes();

-- audio.broadcast_batch_change: deferred row trigger on public.audio_batches: at commit, when the
-- transaction's last version of the batch is what the message should say, broadcast it (or mark
-- it for later; audio.broadcast_batch). A transaction that changes the batch twice sends once.
create function audio.broadcast_batch_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform audio.broadcast_batch(new.id);
  return null;
end;
$$;
comment on function audio.broadcast_batch_change() is
  'Trigger (deferred to commit): broadcast the batch''s state, or mark it for later.';

create constraint trigger audio_batches_broadcast
after insert or update on public.audio_batches
deferrable initially deferred
for each row execute function audio.broadcast_batch_change();

-- audio.flush_due_broadcasts: broadcast every batch holding back a change whose interval has
-- passed, skipping batches another transaction holds (that one broadcasts them itself at its
-- commit). Returns the messages sent.
create function audio.flush_due_broadcasts()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  r record;
  v_sent integer := 0;
begin
  for r in
    select s.batch_id
    from audio.batch_broadcasts as s
    join public.audio_batches as b on b.id = s.batch_id
    where s.dirty
      and coalesce(s.sent_at, '-infinity'::timestamptz) <= pg_catalog.clock_timestamp() - audio.broadcast_interval()
    order by s.batch_id
    for update of b, s skip locked
  loop
    v_sent := v_sent + audio.broadcast_batch(r.batch_id);
  end loop;
  return v_sent;
end;
$$;
comment on function audio.flush_due_broadcasts() is
  'Broadcast the held-back changes of every batch whose interval has passed; returns the messages sent.';

-- audio.flush_broadcasts_on_heartbeat: deferred row trigger on audio.workers: a worker's
-- heartbeat (each claim, and every few seconds while busy) flushes held-back broadcasts at its
-- commit, when the claim's own work is done and its locks are about to go.
create function audio.flush_broadcasts_on_heartbeat()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform audio.flush_due_broadcasts();
  return null;
end;
$$;
comment on function audio.flush_broadcasts_on_heartbeat() is
  'Trigger (deferred to commit): flush held-back broadcasts when a worker records its heartbeat.';

create constraint trigger audio_workers_flush_broadcasts
after insert or update on audio.workers
deferrable initially deferred
for each row execute function audio.flush_broadcasts_on_heartbeat();
