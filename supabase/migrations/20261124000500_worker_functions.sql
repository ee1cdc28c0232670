-- What a worker (process-segments or scripts/worker) calls, one small function per step:
-- claim messages, begin an attempt (permit + lease), end it, complete, fail, hand messages back.
-- All are idempotent against redelivery: status updates are conditional on the current status.

-- audio.claim_segments: read up to p_qty messages (invisible for p_vt_s seconds) and return the
-- segments to work on. Messages whose segment is finished, cancelled or gone are deleted here;
-- a message delivered more than p_max_reads times fails its segment and goes to the archive.
create or replace function audio.claim_segments(p_qty integer, p_vt_s integer, p_max_reads integer default 5)
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
comment on function audio.claim_segments(integer, integer, integer) is
  'Read queue messages and return live segments to process; clean up finished/cancelled ones; archive over-delivered ones.';

-- audio.release_permit: free a permit slot, only if this holder still holds it (a lease that
-- expired and was taken by another worker stays theirs).
create or replace function audio.release_permit(p_slot integer, p_holder text)
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

-- audio.begin_attempt: start one provider request for a segment. Takes a global permit (a slot
-- numbered <= p_limit that is free or whose lease expired), extends the message's visibility and
-- counts the attempt, all at once. Outcomes:
--   go        permit taken (slot returned): call the provider now, then audio.end_attempt
--   no_permit every slot is busy: nothing changed, try again shortly
--   reused    identical content exists: segment done without a provider call, message deleted
--   wait      identical content is being generated right now: message hidden p_wait_s seconds
--   cancelled the batch was cancelled: segment cancelled, message deleted
--   gone      the segment is no longer queued/generating (done by another worker): message deleted
create or replace function audio.begin_attempt(
  p_segment_id bigint,
  p_msg_id bigint,
  p_holder text,
  p_limit integer,
  p_lease_s integer,
  p_vt_s integer,
  p_wait_s integer default 2
)
returns table (outcome text, slot integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  s record;
  v_slot integer;
  g record;
begin
  if p_limit not between 1 and 20 then
    raise exception 'audio.begin_attempt: limit % is outside 1..20', p_limit using errcode = '22023';
  end if;

  select seg.id, seg.status, seg.word_id, seg.kind, seg.text_hash, seg.voice_id, seg.model_id,
    seg.format, b.cancel_requested_at
  into s
  from public.audio_segments as seg
  join public.audio_batches as b on b.id = seg.batch_id
  where seg.id = p_segment_id
  for update of seg;

  if not found or s.status not in ('queued', 'generating') then
    perform pgmq.delete(queue_name => 'audio_segments'::text, msg_id => p_msg_id);
    return query select 'gone'::text, null::integer;
    return;
  end if;
  if s.cancel_requested_at is not null then
    update public.audio_segments as seg set status = 'cancelled', finished_at = now(), updated_at = now()
    where seg.id = s.id;
    perform pgmq.delete(queue_name => 'audio_segments'::text, msg_id => p_msg_id);
    return query select 'cancelled'::text, null::integer;
    return;
  end if;

  -- A redelivered message whose first worker still holds a live permit for this very segment
  -- (a slow request): wait for it rather than make a second provider call.
  if exists (
    select 1 from audio.permits as p
    where p.segment_id = p_segment_id and p.holder is distinct from p_holder and p.expires_at >= now()
  ) then
    perform pgmq.set_vt(queue_name => 'audio_segments'::text, msg_id => p_msg_id, vt => p_wait_s);
    return query select 'wait'::text, null::integer;
    return;
  end if;

  update audio.permits as p
  set holder = p_holder, segment_id = p_segment_id, acquired_at = now(),
    expires_at = now() + make_interval(secs => p_lease_s)
  where p.slot = (
    select f.slot from audio.permits as f
    where f.slot <= p_limit and (f.holder is null or f.expires_at < now())
    order by f.slot
    limit 1
    for update skip locked
  )
  returning p.slot into v_slot;
  if v_slot is null then
    return query select 'no_permit'::text, null::integer;
    return;
  end if;

  -- One generation per content at a time: serialise on the content key.
  perform pg_advisory_xact_lock(hashtextextended(concat_ws('|', s.text_hash, s.voice_id, s.model_id, s.format), 0));

  select ga.storage_path, ga.bytes into g
  from audio.generated_audio as ga
  where ga.text_hash = s.text_hash and ga.voice_id = s.voice_id and ga.model_id = s.model_id
    and ga.format = s.format;
  if found then
    perform audio.release_permit(v_slot, p_holder);
    perform audio.complete_segment(p_segment_id, p_msg_id, g.storage_path, g.bytes, true);
    return query select 'reused'::text, null::integer;
    return;
  end if;

  if exists (
    select 1 from public.audio_segments as o
    where o.status = 'generating' and o.id <> s.id and o.text_hash = s.text_hash
      and o.voice_id = s.voice_id and o.model_id = s.model_id and o.format = s.format
      and o.updated_at > now() - make_interval(secs => p_lease_s)
  ) then
    perform audio.release_permit(v_slot, p_holder);
    perform pgmq.set_vt(queue_name => 'audio_segments'::text, msg_id => p_msg_id, vt => p_wait_s);
    return query select 'wait'::text, null::integer;
    return;
  end if;

  update public.audio_segments as seg
  set status = 'generating', attempts = seg.attempts + 1, started_at = coalesce(seg.started_at, now()),
    updated_at = now()
  where seg.id = s.id;
  perform pgmq.set_vt(queue_name => 'audio_segments'::text, msg_id => p_msg_id, vt => p_vt_s);
  return query select 'go'::text, v_slot;
end;
$$;
comment on function audio.begin_attempt(bigint, bigint, text, integer, integer, integer, integer) is
  'Take a global permit and start a provider attempt for a segment; outcome go/no_permit/reused/wait/cancelled/gone.';

-- audio.end_attempt: give the permit back the moment the provider answered, and say whether the
-- segment may still be uploaded (false once its batch was cancelled or it finished elsewhere).
-- With p_will_upload (the attempt brought audio) a true answer also records upload_started_at,
-- in the same statement as the check, so a cancel either comes first (false) or lets it finish.
create or replace function audio.end_attempt(
  p_slot integer,
  p_holder text,
  p_segment_id bigint,
  p_will_upload boolean default false
)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_live boolean;
begin
  perform audio.release_permit(p_slot, p_holder);
  if p_will_upload then
    update public.audio_segments as seg set upload_started_at = now(), updated_at = now()
    where seg.id = p_segment_id and seg.status = 'generating'
      and not exists (
        select 1 from public.audio_batches as b where b.id = seg.batch_id and b.cancel_requested_at is not null
      );
    return found;
  end if;
  select true into v_live
  from public.audio_segments as seg
  join public.audio_batches as b on b.id = seg.batch_id
  where seg.id = p_segment_id and seg.status = 'generating' and b.cancel_requested_at is null;
  return coalesce(v_live, false);
end;
$$;
comment on function audio.end_attempt(integer, text, bigint, boolean) is
  'Release a permit; true when the segment is still live. With p_will_upload, also clears it for upload (upload_started_at).';

-- audio.complete_segment: the segment's audio is in Storage. Marks it done (only from
-- queued/generating, so a redelivery cannot double-count), records the content, points the
-- word at it, deletes the message.
create or replace function audio.complete_segment(
  p_segment_id bigint,
  p_msg_id bigint,
  p_storage_path text,
  p_bytes integer,
  p_reused boolean default false,
  p_provider_ms integer default null,
  p_rate_limited integer default 0
)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  s record;
begin
  update public.audio_segments as seg
  set status = 'done', storage_path = p_storage_path, bytes = p_bytes, reused = p_reused,
    provider_ms = p_provider_ms, rate_limited = seg.rate_limited + coalesce(p_rate_limited, 0),
    last_error = null, finished_at = now(), updated_at = now()
  where seg.id = p_segment_id and seg.status in ('queued', 'generating')
    and (
      seg.upload_started_at is not null
      or not exists (
        select 1 from public.audio_batches as b where b.id = seg.batch_id and b.cancel_requested_at is not null
      )
    )
  returning seg.* into s;

  perform pgmq.delete(queue_name => 'audio_segments'::text, msg_id => p_msg_id);
  if s.id is null then
    return false;
  end if;

  insert into audio.generated_audio (text_hash, voice_id, model_id, format, storage_path, bytes)
  values (s.text_hash, s.voice_id, s.model_id, s.format, p_storage_path, p_bytes)
  on conflict do nothing;

  insert into public.word_audio as wa (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes, segment_id)
  values (s.word_id, s.kind, s.text_hash, s.voice_id, s.model_id, s.format, p_storage_path, p_bytes, s.id)
  on conflict (word_id, kind) do update set
    text_hash = excluded.text_hash, voice_id = excluded.voice_id, model_id = excluded.model_id,
    format = excluded.format, storage_path = excluded.storage_path, bytes = excluded.bytes,
    segment_id = excluded.segment_id, updated_at = now();
  return true;
end;
$$;
comment on function audio.complete_segment(bigint, bigint, text, integer, boolean, integer, integer) is
  'Mark a segment done with its object, upsert word_audio and the content index, delete the message. False if it was no longer live.';

-- audio.fail_segment: the provider refused, or retries ran out. The segment keeps the error; the
-- message goes to the pgmq archive (the dead-letter queue).
create or replace function audio.fail_segment(
  p_segment_id bigint,
  p_msg_id bigint,
  p_error text,
  p_rate_limited integer default 0
)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_found boolean;
begin
  update public.audio_segments as seg
  set status = 'failed', last_error = left(p_error, 2000), finished_at = now(), updated_at = now(),
    rate_limited = seg.rate_limited + coalesce(p_rate_limited, 0)
  where seg.id = p_segment_id and seg.status in ('queued', 'generating');
  v_found := found;
  perform pgmq.archive(queue_name => 'audio_segments'::text, msg_id => p_msg_id);
  return v_found;
end;
$$;
comment on function audio.fail_segment(bigint, bigint, text, integer) is
  'Mark a segment failed with its error and archive its message (dead letter).';

-- audio.return_messages: a worker stopping (time budget) hands back messages it claimed but did
-- not start, so another worker can take them at once instead of after the visibility timeout;
-- after an unexpected error (Storage down) it hands one back with a delay.
create or replace function audio.return_messages(p_msg_ids bigint[], p_delay_s integer default 0)
returns integer
language sql
security definer
set search_path = ''
as $$
  select count(*)::integer from unnest(p_msg_ids) as i,
    lateral pgmq.set_vt(queue_name => 'audio_segments'::text, msg_id => i, vt => p_delay_s)
$$;
comment on function audio.return_messages(bigint[], integer) is
  'Make claimed messages visible again after p_delay_s seconds (0 = now).';

-- audio.cancelled_batches: which of these batches were cancelled (the worker polls this to abort
-- in-flight requests within a second).
create or replace function audio.cancelled_batches(p_batch_ids uuid[])
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select b.id from public.audio_batches as b
  where b.id = any (p_batch_ids) and b.cancel_requested_at is not null
$$;
comment on function audio.cancelled_batches(uuid[]) is
  'The subset of the given batches that have been cancelled.';

-- audio.queue_depth: visible = ready to claim now; total = every message, in flight or not. A
-- worker stops when total is 0; while only invisible messages remain it waits for them (another
-- worker may die and its messages come back).
create or replace function audio.queue_depth()
returns table (visible bigint, total bigint)
language sql
stable
security definer
set search_path = ''
as $$
  select count(*) filter (where q.vt <= clock_timestamp()), count(*) from pgmq.q_audio_segments as q
$$;
comment on function audio.queue_depth() is
  'Messages in the audio_segments queue: visible now, and in total.';
