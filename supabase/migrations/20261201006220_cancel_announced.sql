-- A cancel is announced. The commit that sets a batch's cancel_requested_at (audio.cancel_batch)
-- sends NOTIFY on audio.cancel_channel() with the batch's id, and each worker holding that
-- batch's segments asks about it at once (its cancel watch, supabase/functions/_shared/worker/
-- cancel_watch.ts): its provider requests are aborted at the cancel's commit, not at the watch's
-- next poll. A worker whose LISTEN is in place then polls every second (CANCEL_FALLBACK_POLL_MS)
-- instead of every AUDIO_CANCEL_POLL_MS (250 ms by default; still the period where LISTEN is
-- unavailable, as behind a transaction-mode pooler): the poll only finds a cancel whose
-- notification was lost while the LISTEN connection was re-established. Four questions a second
-- per worker become one.

create function audio.cancel_channel()
returns text
language sql
immutable
set search_path = ''
as $$ select 'audio_queue_cancel'::text $$;
comment on function audio.cancel_channel() is
  'NOTIFY channel on which a cancel reaches the workers at its commit (audio_queue_cancel); the payload is the batch id.';

create function audio.announce_cancel()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform pg_notify(audio.cancel_channel(), new.id::text);
  return null;
end;
$$;
comment on function audio.announce_cancel() is
  'Trigger: NOTIFY audio.cancel_channel() with the batch id when its cancel is requested (sent at commit).';

create trigger audio_batches_announce_cancel
  after update of cancel_requested_at on public.audio_batches
  for each row
  when (old.cancel_requested_at is null and new.cancel_requested_at is not null)
  execute function audio.announce_cancel();

revoke all on function audio.cancel_channel() from public, anon, authenticated;
revoke all on function audio.announce_cancel() from public, anon, authenticated;
