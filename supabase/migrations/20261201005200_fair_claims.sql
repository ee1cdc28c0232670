-- Who goes first. Claims used to take the oldest visible messages of the whole queue, so an
-- admin's small batch queued behind a nightly backfill of 30,000 segments waited for all of it.
-- Now a claim takes admin batches before backfill batches, and within each of the two takes the
-- batches in turn (round-robin: the batch served least recently goes first), each batch's own
-- segments first in, first out (segment id order, the order create_batch queued them).
--
-- Cost: a claim looks only at live batches (status queued or running, a partial index) and, per
-- batch, at the head of its queued and generating segments (a partial index), joined to their
-- queue messages by msg_id: a few index probes per batch, however long the queue. Messages no
-- live batch's segment names (a poison body, a segment that is gone or settled, a batch no longer
-- live) are still read, after the batches' ones, by pgmq.read, so claim_segments' rules see them.

create index audio_segments_pending_batch_idx on public.audio_segments (batch_id, id)
  where status in ('queued', 'generating');
comment on index public.audio_segments_pending_batch_idx is
  'The head of each batch''s unfinished segments, in queue order: where a claim looks for a batch''s next messages.';

create index audio_batches_live_idx on public.audio_batches (created_at)
  where status in ('queued', 'running');
comment on index public.audio_batches_live_idx is
  'The batches whose segments claims hand out.';

-- When each live batch was last served by a claim: the claim's number (audio.claim_turn_seq) and
-- the position of the batch's last message in that claim. The batch served least recently goes
-- first. No foreign key to audio_batches: its check would lock the batch row (key share) while the
-- claim holds queue messages, and cancel_batch takes them in the other order (the batch row, then
-- its messages). Rows of batches no longer live are deleted by the claims themselves.
create sequence audio.claim_turn_seq;
create table audio.claim_turns (
  batch_id uuid primary key,
  claim_no bigint not null,
  claim_pos integer not null
);
comment on table audio.claim_turns is
  'Per live batch, the claim (number, position) that last handed out one of its messages: claims serve batches in turn.';
alter table audio.claim_turns enable row level security;

-- audio.next_in_turn: the next up-to-p_qty visible messages of the live batches of one source
-- (p_admin: admin batches, else backfill), in the order claims hand them out, each with its
-- batch, locked with its segment (skip locked: messages another claim is taking are passed over,
-- as pgmq.read does, and so are segments a cancel or a worker holds; the segment is locked before
-- its message, as cancel_batch locks them, so a claim never waits on a cancel that waits on it). The order: round-robin across the batches, every batch's first message, then every
-- batch's second, ...; at each round the batch served least recently (audio.claim_turns; never
-- served: first; then the oldest batch) comes first; within a batch, segment id order (first in,
-- first out). It reads at most p_qty messages per live batch of the source.
create function audio.next_in_turn(p_admin boolean, p_qty integer)
returns table (msg_id bigint, batch_id uuid)
language sql
security definer
set search_path = ''
as $$
  select c.msg_id, c.batch_id
  from (
    select b.id as batch_id, b.created_at, t.claim_no, t.claim_pos, h.msg_id,
      row_number() over (partition by b.id order by h.segment_id) as round
    from public.audio_batches as b
    left join audio.claim_turns as t on t.batch_id = b.id
    cross join lateral (
      -- The batch's next visible messages. The batch is named by a range, not =, and the order
      -- includes batch_id: so only audio_segments_pending_batch_idx gives this order. With = the
      -- planner may walk the primary key filtering on batch_id, reading every segment of the
      -- batches before this one (300,000 rows behind a big backfill).
      select s.id as segment_id, q.msg_id
      from public.audio_segments as s
      join pgmq.q_audio_segments as q on q.msg_id = s.msg_id
      where s.batch_id >= b.id and s.batch_id <= b.id and s.status in ('queued', 'generating')
        and q.vt <= clock_timestamp()
      order by s.batch_id, s.id
      limit p_qty
      for update of s, q skip locked
    ) as h
    where b.status in ('queued', 'running') and (b.source = 'admin') = p_admin
  ) as c
  order by c.round, c.claim_no nulls first, c.claim_pos, c.created_at, c.batch_id
  limit p_qty
$$;
comment on function audio.next_in_turn(boolean, integer) is
  'The next visible messages of live admin (or backfill) batches, round-robin across batches, FIFO within each; locked.';

-- audio.read_in_turn: pgmq.read in the order claims hand work out. Up to p_qty visible messages,
-- each made invisible for p_vt_s seconds with its read count raised by one, exactly as pgmq.read
-- updates the queue table (pgmq.read itself cannot be asked for chosen messages without scanning
-- the queue). The order, which is also the order of the rows returned:
--   1. messages of live admin batches, then of live backfill batches, each in turn
--      (audio.next_in_turn); the batches served are recorded (audio.record_claim_turns);
--   2. then, if fewer than p_qty were found, pgmq.read for the rest (messages no live batch's
--      segment names, e.g. poison bodies, which claim_segments archives).
-- Returns what pgmq.read returns.
create function audio.read_in_turn(p_qty integer, p_vt_s integer)
returns setof pgmq.message_record
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_admin boolean;
  v_msg_ids bigint[] := '{}'::bigint[];
  v_batch_ids uuid[] := '{}'::uuid[];
begin
  foreach v_admin in array array[true, false] loop
    exit when cardinality(v_msg_ids) >= p_qty;
    select v_msg_ids || coalesce(array_agg(n.msg_id order by n.ord), '{}'::bigint[]),
      v_batch_ids || coalesce(array_agg(n.batch_id order by n.ord), '{}'::uuid[])
    into v_msg_ids, v_batch_ids
    from audio.next_in_turn(v_admin, p_qty - cardinality(v_msg_ids)) with ordinality as n (msg_id, batch_id, ord);
  end loop;

  if cardinality(v_msg_ids) > 0 then
    perform audio.record_claim_turns(v_batch_ids);
    return query
    with read as (
      update pgmq.q_audio_segments as q
      set vt = clock_timestamp() + make_interval(secs => p_vt_s), read_ct = q.read_ct + 1
      where q.msg_id = any (v_msg_ids)
      returning q.msg_id, q.read_ct, q.enqueued_at, q.vt, q.message, q.headers
    )
    select r.msg_id, r.read_ct, r.enqueued_at, r.vt, r.message, r.headers
    from read as r
    join unnest(v_msg_ids) with ordinality as o (msg_id, n) on o.msg_id = r.msg_id
    order by o.n;
  end if;

  if cardinality(v_msg_ids) < p_qty then
    return query
    select * from pgmq.read(queue_name => 'audio_segments'::text, vt => p_vt_s::integer,
      qty => (p_qty - cardinality(v_msg_ids))::integer);
  end if;
end;
$$;
comment on function audio.read_in_turn(integer, integer) is
  'pgmq.read in claim order: admin batches before backfill, batches in turn, each batch first in first out; then any other visible message.';

-- audio.record_claim_turns: the claim that just handed out messages of these batches (one entry
-- per message, in hand-out order) takes the next claim number; each batch's turn becomes that
-- number and the position of its last message. Rows are written in batch id order, so two
-- claims recording the same batches at once wait for each other instead of deadlocking. Then the
-- rows of batches no longer live go (skipping rows another claim holds: a delete never waits, so
-- it cannot close a cycle with another claim's upsert), so the table holds about as many rows as
-- there are live batches.
create function audio.record_claim_turns(p_batch_ids uuid[])
returns void
language sql
security definer
set search_path = ''
as $$
  with this_claim as materialized (select nextval('audio.claim_turn_seq'::regclass) as claim_no)
  insert into audio.claim_turns as t (batch_id, claim_no, claim_pos)
  select x.batch_id, c.claim_no, x.claim_pos
  from this_claim as c
  cross join (
    select b.batch_id, max(b.n)::integer as claim_pos
    from unnest(p_batch_ids) with ordinality as b (batch_id, n)
    group by b.batch_id
  ) as x
  order by x.batch_id
  on conflict (batch_id) do update set claim_no = excluded.claim_no, claim_pos = excluded.claim_pos;
  delete from audio.claim_turns as t
  where t.batch_id in (
    select o.batch_id from audio.claim_turns as o
    where o.batch_id <> all (p_batch_ids) and not exists (
      select 1 from public.audio_batches as b where b.id = o.batch_id and b.status in ('queued', 'running')
    )
    for update of o skip locked
  )
$$;
comment on function audio.record_claim_turns(uuid[]) is
  'Record that a claim served these batches (in hand-out order): the batch served last goes last next time.';

-- audio.claim_segments: record the caller's heartbeat (p_holder), read up to p_qty messages
-- (invisible for p_vt_s seconds) in turn (audio.read_in_turn: admin batches before backfill,
-- batches round-robin, each batch first in, first out) and return the segments to work on, in
-- that order. Per message:
--   returned   the segment is live: a row with what the provider call needs; next begin_attempt
--   poison     the body has no readable integer segment_id, or names a segment that does not
--              exist: message archived, reason in audio.dead_letters, no row
--   settled    audio.guard_segment found it gone or cancelled: message deleted, no row
--   archived   delivered more than p_max_reads times, not counting excused deliveries (waits and
--              hand-backs, audio.excused_reads): segment failed with the reason and its last
--              real error, message in the pgmq archive (dead letter), no row
-- Claiming changes no segment status; begin_attempt does. Each claim also prunes a few old
-- excused-read rows (audio.prune_excused_reads).
create or replace function audio.claim_segments(
  p_qty integer,
  p_vt_s integer,
  p_max_reads integer default audio.default_max_reads(),
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
  v_segment_id bigint;
  v_counted integer;
begin
  if p_holder is not null then
    perform audio.worker_heartbeat(p_holder);
  end if;
  perform audio.prune_excused_reads();
  for m in
    select r.msg_id, r.read_ct, r.message
    from audio.read_in_turn(p_qty, p_vt_s) with ordinality as r
    order by r.ordinality
  loop
    v_segment_id := audio.message_segment_id(m.message);
    if v_segment_id is null then
      perform audio.dead_letter(m.msg_id, m.message, 'the body has no integer segment_id');
      continue;
    end if;
    if not exists (select 1 from public.audio_segments as seg where seg.id = v_segment_id) then
      perform audio.dead_letter(m.msg_id, m.message, format('no segment with id %s', v_segment_id));
      continue;
    end if;
    if audio.guard_segment(v_segment_id, m.msg_id) <> 'live' then
      continue;
    end if;
    v_counted := m.read_ct - coalesce((select e.reads from audio.excused_reads as e where e.msg_id = m.msg_id), 0);
    if v_counted > p_max_reads then
      update public.audio_segments as seg set status = 'failed', finished_at = now(),
        last_error = left(format('delivered %s times without finishing (limit %s); ', v_counted, p_max_reads)
          || coalesce('last error: ' || seg.last_error, 'message archived'), 2000)
      where seg.id = v_segment_id;
      perform pgmq.archive(queue_name => 'audio_segments'::text, msg_id => m.msg_id::bigint);
      continue;
    end if;
    return query
    select m.msg_id, m.read_ct, seg.id, seg.batch_id, seg.text, seg.text_hash, seg.voice_id,
      seg.model_id, seg.format
    from public.audio_segments as seg where seg.id = v_segment_id;
  end loop;
end;
$$;
comment on function audio.claim_segments(integer, integer, integer, text) is
  'Record the caller''s heartbeat; read queue messages in turn (admin before backfill, batches round-robin, FIFO within a batch) and return live segments; clean up finished/cancelled ones; archive ones delivered past the limit (excused deliveries not counted).';

revoke all on table audio.claim_turns from public, anon, authenticated;
revoke all on sequence audio.claim_turn_seq from public, anon, authenticated;
revoke all on function audio.next_in_turn(boolean, integer) from public, anon, authenticated;
revoke all on function audio.read_in_turn(integer, integer) from public, anon, authenticated;
revoke all on function audio.record_claim_turns(uuid[]) from public, anon, authenticated;
revoke all on function audio.claim_segments(integer, integer, integer, text) from public, anon, authenticated;
