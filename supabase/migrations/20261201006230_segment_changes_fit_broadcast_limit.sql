-- A `segments` message always fits Realtime's payload limit. Realtime checks every Broadcast from
-- the database against the project's limit (Free: 256 KB; it measures the payload column's JSON
-- text, refusing one over max_payload_size_in_kb × 1000 + 500 bytes of Erlang term, i.e. text
-- over 256,494 bytes) and drops a larger one, logging it on its own side only: the page would
-- never hear of the changes it listed. Until now a change carried the segment's whole last_error
-- (kept up to 2,000 characters), so the 200 failures one message may list (the cap) came to
-- about 428 KB of ASCII, more in other scripts, and the message was lost.
--
-- Now:
--   audio.broadcast_error(text)       a change's `error` is the error's first 200 characters
--   audio.broadcast_error_chars()     (broadcast_error_chars()) and "…" when it is longer: an
--                                     error of 201 characters ending in "…" was cut. The page
--                                     groups and shows failures by it until it reads the segments
--                                     (every snapshot and re-read carries the whole last_error,
--                                     which the table keeps). 200 characters name the reason
--                                     (the words table shows the first 60 under a badge anyway).
--   audio.broadcast_changes_max_bytes()  a list whose JSON text is over 200,000 bytes goes out as
--                                     `more: true` with none listed (the page then re-reads the
--                                     segments, as it does past the cap of 200 changes).
--   audio.collect_segment_changes     files changes with the bounded error
--   audio.broadcast_batch             applies the byte bound
--
-- Worst case, in the payload's JSON text (jsonb's text form, which Realtime measures), per change
-- of the list: 137 bytes without the error's text (`{"id": <19 digits>, "kind": "definition",
-- "error": "", "status": "generating", "word_id": "<uuid>"}`) and 2 for the ", " between two;
-- the error's text is at most 200 characters and "…":
--   - any text without control characters (at most 4 bytes a character in UTF-8; a quote,
--     backslash, newline or tab escaped is 2): 200 × 4 + 3 = 803 bytes, so a change and its
--     separator are at most 942 bytes and a full list 200 × 942 = 188,400 bytes; with the
--     message's own fields (id, seq, more, batch_id: 156 bytes) 188,556 bytes, 26 % under the
--     limit. Such a list goes out as it is (it is under the 200,000-byte bound).
--   - control characters (written \u00XX, 6 bytes each) could make an error 1,203 bytes and a
--     list 200 × 1,342 = 268,400 bytes, and a done change's storage_path is as long as the worker
--     makes it: the byte bound catches these. Whatever the changes hold, the largest `segments`
--     message is 200,000 + 156 = 200,156 bytes, 56 KB (22 %) under the limit.
-- The other messages (`progress`, and `batch` on the list topic) list no segments.
-- Otherwise as before (20261201003920, 20261201003930).

create function audio.broadcast_error_chars()
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select 200
$$;
comment on function audio.broadcast_error_chars() is
  'Most characters of a segment''s error a segments message carries; a longer one is cut there and marked with "…".';

create function audio.broadcast_error(p_error text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case
    when pg_catalog.char_length(p_error) > audio.broadcast_error_chars()
    then pg_catalog.left(p_error, audio.broadcast_error_chars()) || '…'
    else p_error
  end
$$;
comment on function audio.broadcast_error(text) is
  'A segment''s error as a segments message carries it: the first broadcast_error_chars() characters and "…" when longer (201 characters ending in "…": cut).';

create function audio.broadcast_changes_max_bytes()
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select 200000
$$;
comment on function audio.broadcast_changes_max_bytes() is
  'Most bytes of JSON text a segments message''s list may take (Realtime''s Free limit is 256 KB); a longer list goes out as more: true.';

-- audio.collect_segment_changes: as in 20261201003930, with each error bounded
-- (audio.broadcast_error).
create or replace function audio.collect_segment_changes()
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
      'storage_path', n.storage_path, 'error', audio.broadcast_error(n.last_error))) order by n.id) as list
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

-- audio.broadcast_batch: as in 20261201003920, except that a list of changes over
-- broadcast_changes_max_bytes() of JSON text goes out as more: true with none listed.
create or replace function audio.broadcast_batch(p_batch_id uuid)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_state audio.batch_broadcasts;
  v_batch public.audio_batches;
  v_status_change boolean;
  v_has_changes boolean;
  v_paced boolean;
  v_messages integer;
  v_seq bigint;
  v_changes jsonb;
  v_more boolean;
begin
  if not exists (select 1 from public.audio_batches as b where b.id = p_batch_id) then
    return 0;
  end if;
  insert into audio.batch_broadcasts (batch_id) values (p_batch_id) on conflict (batch_id) do nothing;
  select * into v_state from audio.batch_broadcasts as s where s.batch_id = p_batch_id for update;
  select * into v_batch from public.audio_batches as b where b.id = p_batch_id;

  v_status_change := v_state.sent_status is distinct from v_batch.status;
  v_has_changes := v_state.changes <> '[]'::jsonb or v_state.changes_more;
  if not v_status_change and not v_has_changes
    and v_state.sent_version is not distinct from v_batch.updated_at then
    update audio.batch_broadcasts as s set dirty = false where s.batch_id = p_batch_id and s.dirty;
    return 0;
  end if;

  v_messages := 1 + v_has_changes::integer + v_status_change::integer;
  v_paced := not v_status_change
    and v_batch.status not in ('completed', 'completed_with_errors', 'cancelled');
  if v_paced and (
    v_state.sent_at > pg_catalog.clock_timestamp() - audio.broadcast_interval()
    or v_state.paced_messages + v_messages > audio.broadcast_paced_allowance(
      v_batch.total, v_batch.done + v_batch.failed + v_batch.cancelled)
  ) then
    update audio.batch_broadcasts as s set dirty = true where s.batch_id = p_batch_id and not s.dirty;
    return 0;
  end if;

  if v_status_change then
    perform audio.send_broadcast('batches', 'batch', audio.batch_list_row(v_batch));
  end if;
  v_seq := v_state.seq;
  if v_has_changes then
    v_seq := v_seq + 1;
    v_changes := audio.latest_segment_changes(v_state.changes);
    v_more := v_state.changes_more
      or pg_catalog.octet_length(v_changes::text) > audio.broadcast_changes_max_bytes();
    perform audio.send_broadcast('batch:' || p_batch_id::text, 'segments', pg_catalog.jsonb_build_object(
      'batch_id', p_batch_id, 'seq', v_seq, 'more', v_more,
      'changes', case when v_more then '[]'::jsonb else v_changes end));
  end if;
  v_seq := v_seq + 1;
  perform audio.send_broadcast('batch:' || p_batch_id::text, 'progress',
    audio.batch_progress(v_batch, v_seq));

  update audio.batch_broadcasts as s set
    seq = v_seq, sent_at = pg_catalog.clock_timestamp(), sent_status = v_batch.status,
    sent_version = v_batch.updated_at, changes = '[]'::jsonb, changes_more = false, dirty = false,
    paced_messages = s.paced_messages + case when v_paced then v_messages else 0 end,
    status_messages = s.status_messages + case when v_paced then 0 else v_messages end
  where s.batch_id = p_batch_id;
  return v_messages;
end;
$$;

-- Like every broadcast function: none is callable by the API roles (create or replace keeps the
-- grants of the two redefined above).
revoke all on function
  audio.broadcast_error_chars(),
  audio.broadcast_error(text),
  audio.broadcast_changes_max_bytes()
from public, anon, authenticated;
