-- Global provider concurrency: one row per permit slot. A worker holds a slot for the duration
-- of one provider request (begin_attempt takes it, end_attempt gives it back); the lease expiry
-- frees the slots of a worker that died holding them. Only slots numbered up to the configured
-- limit are used, so the limit can change without touching this table.

create table audio.permits (
  slot smallint primary key check (slot between 1 and audio.max_concurrency()),
  holder text,
  segment_id bigint,
  acquired_at timestamptz,
  expires_at timestamptz
);
insert into audio.permits (slot) select generate_series(1, audio.max_concurrency());

-- audio.release_permit: free a permit slot, only if this holder still holds it (a lease that
-- expired and was taken over by another worker stays theirs).
create function audio.release_permit(p_slot integer, p_holder text)
returns void
language sql
security definer
set search_path = ''
as $$
  update audio.permits as p set holder = null, segment_id = null, acquired_at = null, expires_at = null
  where p.slot = p_slot and p.holder = p_holder
$$;
comment on function audio.release_permit(integer, text) is
  'Free a permit slot held by this holder.';
