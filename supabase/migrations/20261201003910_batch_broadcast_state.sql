-- What the database last broadcast about each batch, so progress goes out coalesced: at most one
-- message pair per batch per broadcast_interval(), within a message budget of a quarter of a
-- message per segment, and always one carrying the final state (audio.broadcast_batch decides).
-- Segment status changes wait here (`changes`) until the next message takes them along.

-- audio.broadcast_interval: the least time between two broadcasts of one batch. Half a second
-- keeps a live page moving (two updates a second) while one batch costs at most four Realtime
-- messages a second (progress and segments) against a project quota of 100 (Free) or 500 (Pro).
create function audio.broadcast_interval()
returns interval
language sql
immutable
parallel safe
set search_path = ''
as $$
  select interval '500 milliseconds'
$$;
comment on function audio.broadcast_interval() is
  'Least time between two broadcasts of one batch (a status change does not wait for it).';

-- audio.broadcast_changes_cap: the most segment changes one `segments` message lists. Past it the
-- message says `more: true` and lists none: the page re-reads the batch instead. 200 changes of
-- about 200 bytes each are 40 kB, well inside Realtime's smallest payload limit (256 kB, Free).
create function audio.broadcast_changes_cap()
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select 200
$$;
comment on function audio.broadcast_changes_cap() is
  'Most segment changes in one segments message; past it the message has more: true instead.';

-- audio.broadcast_paced_allowance: how many paced messages (the ones sent while the status stays
-- the same) a batch of p_total segments may have sent once p_settled of them have finished. The
-- budget is a quarter of a message per segment; status changes keep 12 of it (at most four
-- statuses — queued, running, cancelling, an end — of at most three messages each: the batch
-- list, segments, progress). The rest is earned as segments finish, so a batch does not spend it
-- all early; the 2 ahead let the first messages go out before a fifth of a message is earned.
create function audio.broadcast_paced_allowance(p_total integer, p_settled integer)
returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case when p_total <= 0 then 0 else
    least(b.paced, (b.paced::bigint * least(greatest(p_settled, 0), p_total) / p_total)::integer + 2)
  end
  from (select greatest(p_total / 4 - 12, 0) as paced) as b
$$;
comment on function audio.broadcast_paced_allowance(integer, integer) is
  'Paced broadcasts a batch of p_total segments may have sent with p_settled finished (budget: total/4, 12 kept for status changes).';

create table audio.batch_broadcasts (
  batch_id uuid primary key references public.audio_batches (id) on delete cascade,
  -- The seq of the last message sent on batch:<id>; every message takes the next one.
  seq bigint not null default 0,
  sent_at timestamptz,
  -- The status the last broadcast carried (null: none yet) and the batch row's updated_at then.
  sent_status text,
  sent_version timestamptz,
  paced_messages integer not null default 0,
  status_messages integer not null default 0,
  -- Segment changes since the last message; `changes_more` when there were more than the cap.
  changes jsonb not null default '[]'::jsonb,
  changes_more boolean not null default false,
  -- Something changed that no message has carried yet (a later flush sends it).
  dirty boolean not null default false
);
comment on table audio.batch_broadcasts is
  'Per batch: what was last broadcast on batch:<id> (seq, when, which status), the messages spent, and the segment changes waiting for the next message.';
create index batch_broadcasts_dirty_idx on audio.batch_broadcasts (batch_id) where dirty;
alter table audio.batch_broadcasts enable row level security;

-- in_flight in every progress message: the batch's generating segments, found without scanning
-- the batch (a handful of rows at any time, at most the concurrency limit).
create index audio_segments_generating_batch_idx on public.audio_segments (batch_id)
  where status = 'generating';
