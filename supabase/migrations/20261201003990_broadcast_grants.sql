-- The grants of the broadcast functions and their state table: like every audio object, none is
-- callable or readable by the API roles (the database alone broadcasts).
revoke all on table audio.batch_broadcasts from public, anon, authenticated;
revoke all on function
  audio.broadcast_interval(),
  audio.broadcast_changes_cap(),
  audio.broadcast_paced_allowance(integer, integer),
  audio.send_broadcast(text, text, jsonb),
  audio.broadcast_batch(uuid),
  audio.batch_progress(public.audio_batches, bigint),
  audio.batch_list_row(public.audio_batches),
  audio.latest_segment_changes(jsonb),
  audio.collect_segment_changes(),
  audio.broadcast_batch_change(),
  audio.flush_due_broadcasts(),
  audio.flush_broadcasts_on_heartbeat()
from public, anon, authenticated;
