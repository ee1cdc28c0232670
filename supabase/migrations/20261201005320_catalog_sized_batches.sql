-- Catalog-sized batches: creating one writes each segment once, cancelling one leaves the state
-- rows alone, and the backfill never queues what a live batch holds in any voice.

-- audio.missing_segments: as before (see the backfill_keeps_chosen_voice migration), except that
-- for the backfill (p_keep_current_text) a segment is pending when a live batch holds its current
-- text in any voice, model or format: the backfill never queues what a batch already holds.
create or replace function audio.missing_segments(
  p_word_ids uuid[],
  p_grade smallint,
  p_kinds text[],
  p_missing_only boolean,
  p_voice_id text,
  p_model_id text,
  p_format text,
  p_keep_current_text boolean default false
)
returns table (word_id uuid, grade smallint, kind text, text text, text_hash text, pending boolean)
language sql
stable
security definer
set search_path = ''
as $$
  select s.word_id, s.grade, s.kind, s.text, s.text_hash,
    p_missing_only and exists (
      select 1
      from public.audio_segments as p
      join public.audio_batches as b on b.id = p.batch_id
      where p.word_id = s.word_id and p.kind = s.kind and p.status in ('queued', 'generating')
        and p.text_hash = s.text_hash and b.cancel_requested_at is null
        and (p_keep_current_text
          or (p.voice_id = p_voice_id and p.model_id = p_model_id and p.format = p_format))
    ) as pending
  from audio.segment_sources as s
  where (p_word_ids is null or s.word_id = any (p_word_ids))
    and (p_grade is null or s.grade = p_grade)
    and s.kind = any (p_kinds)
    and not (
      p_missing_only and exists (
        select 1 from public.word_audio as wa
        where wa.word_id = s.word_id and wa.kind = s.kind and wa.text_hash = s.text_hash
          and (p_keep_current_text
            or (wa.voice_id = p_voice_id and wa.model_id = p_model_id and wa.format = p_format))
      )
    )
$$;

-- audio.create_batch: outcomes as in the create_batch migration; the backfill's rule as in the
-- backfill_keeps_chosen_voice migration. Scopes: p_word_ids (any number of ids), p_grade, or
-- neither (every word of the catalog).
create or replace function audio.create_batch(
  p_word_ids uuid[] default null,
  p_grade smallint default null,
  p_kinds text[] default array['word', 'definition', 'sentence'],
  p_missing_only boolean default true,
  p_voice_id text default null,
  p_model_id text default null,
  p_format text default null,
  p_source text default 'admin',
  p_requested_by uuid default null,
  p_set_defaults jsonb default null
)
returns table (
  batch_id uuid, total integer, queued integer, skipped integer, pending integer, unknown_positions integer[]
)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_voice text;
  v_model text;
  v_format text;
  v_missing text;
  v_unknown integer[];
  v_batch uuid;
  v_total integer;
  v_queued integer;
  v_skipped integer;
  v_pending integer;
begin
  v_unknown := audio.unknown_word_positions(p_word_ids);
  if v_unknown is not null then
    return query select null::uuid, 0, 0, 0, 0, v_unknown;
    return;
  end if;
  perform audio.store_defaults(p_set_defaults);

  v_voice := coalesce(p_voice_id, audio.setting('voice_id'));
  v_model := coalesce(p_model_id, audio.setting('model_id'));
  v_format := coalesce(p_format, audio.setting('format'));
  v_missing := case when v_voice is null then 'voice_id' when v_model is null then 'model_id'
    when v_format is null then 'format' end;
  if v_missing is not null then
    raise exception 'audio.create_batch: no %: pass it, or store a default with select audio.set_setting(''%'', ''<value>'')',
      v_missing, v_missing using errcode = '22023';
  end if;
  if p_kinds is null or cardinality(p_kinds) = 0
    or exists (select 1 from unnest(p_kinds) as k where k not in ('word', 'definition', 'sentence')) then
    raise exception 'audio.create_batch: kinds must be a non-empty subset of word, definition, sentence'
      using errcode = '22023';
  end if;

  -- Serialise batch creation so two concurrent calls cannot both queue the same missing segment.
  perform pg_advisory_xact_lock(hashtext('audio.create_batch'));

  insert into public.audio_batches (source, requested_by, voice_id, model_id, format, kinds, grade, missing_only)
  values (p_source, p_requested_by, v_voice, v_model, v_format, p_kinds, p_grade, p_missing_only)
  returning id into v_batch;

  -- A segment per source that is not pending elsewhere: done at once when its content exists.
  -- Set-based and written once: the ids are drawn first (in page order), the messages sent for
  -- them, and each segment inserted with its message id, so no row is updated after its insert
  -- (an update per row of 300,000 segments cost more than everything else together).
  with m as materialized (
    select * from audio.missing_segments(p_word_ids, p_grade, p_kinds, p_missing_only, v_voice, v_model, v_format,
      p_keep_current_text => p_source = 'backfill')
  ), fresh as materialized (
    select nextval('public.audio_segments_id_seq'::regclass) as id, r.*
    from (
      select m.word_id, m.kind, m.text, m.text_hash, g.storage_path, g.bytes
      from m
      left join audio.generated_audio as g
        on g.text_hash = m.text_hash and g.voice_id = v_voice and g.model_id = v_model and g.format = v_format
      where not m.pending
      order by m.grade, m.word_id, array_position(array['word', 'definition', 'sentence'], m.kind)
    ) as r
  ), sent as materialized (
    select * from audio.enqueue_segments(v_batch, array(select f.id from fresh as f where f.storage_path is null))
  ), ins as (
    insert into public.audio_segments
      (id, batch_id, word_id, kind, text, text_hash, voice_id, model_id, format, status, storage_path, bytes,
       reused, finished_at, msg_id)
    overriding system value
    select f.id, v_batch, f.word_id, f.kind, f.text, f.text_hash, v_voice, v_model, v_format,
      case when f.storage_path is null then 'queued' else 'done' end,
      f.storage_path, f.bytes, f.storage_path is not null,
      case when f.storage_path is not null then now() end, sent.msg_id
    from fresh as f left join sent on sent.segment_id = f.id
    order by f.id
    returning status, reused
  )
  select (select count(*) from m where m.pending), count(*), count(*) filter (where ins.status = 'queued'),
    count(*) filter (where ins.reused)
  into v_pending, v_total, v_queued, v_skipped
  from ins;

  if v_total = 0 then
    delete from public.audio_batches as b where b.id = v_batch;
    return query select null::uuid, 0, 0, 0, v_pending, null::integer[];
    return;
  end if;

  if v_skipped > 0 then
    perform audio.upsert_word_audio(array(
      select s.id from public.audio_segments as s where s.batch_id = v_batch and s.reused
    ));
  end if;

  update public.audio_batches as b set
    total = v_total, done = v_skipped, skipped = v_skipped,
    status = case when v_queued = 0 then 'completed' else 'queued' end,
    finished_at = case when v_queued = 0 then now() end
  where b.id = v_batch;

  return query select v_batch, v_total, v_queued, v_skipped, v_pending, null::integer[];
end;
$$;

-- audio.cancel_batch: outcomes as in the cancel migration; now it also settles the state rows
-- (audio.segment_state) that another live batch holds.
create or replace function audio.cancel_batch(p_batch_id uuid)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status text;
  v_msg_ids bigint[];
begin
  -- Lock in the order workers do (a segment, then its batch through the counter trigger), so a
  -- cancel racing a worker waits for it instead of deadlocking: unfinished segments first.
  perform 1 from public.audio_segments as s
  where s.batch_id = p_batch_id and s.status in ('queued', 'generating')
  order by s.id
  for update;
  select b.status into v_status from public.audio_batches as b where b.id = p_batch_id for update;
  if not found then
    raise exception 'audio.cancel_batch: no batch with id %', p_batch_id using errcode = 'P0002';
  end if;
  if v_status in ('completed', 'completed_with_errors', 'cancelled') then
    return v_status;
  end if;

  update public.audio_batches as b
  set cancel_requested_at = coalesce(b.cancel_requested_at, now()), status = 'cancelling'
  where b.id = p_batch_id;

  with c as (
    update public.audio_segments as s
    set status = 'cancelled', finished_at = now()
    where s.batch_id = p_batch_id and s.status in ('queued', 'generating') and s.upload_started_at is null
    returning s.msg_id
  )
  select array_agg(c.msg_id) filter (where c.msg_id is not null) into v_msg_ids from c;

  if v_msg_ids is not null then
    perform pgmq.delete(queue_name => 'audio_segments'::text, msg_ids => v_msg_ids::bigint[]);
  end if;

  -- The cancelled segments keep their keys' pending pointers (segment_state counts a pointer only
  -- while its batch is not being cancelled); a key another live batch also holds points at that
  -- batch's segment instead. Found from the live segments, not from every key of this batch.
  perform audio.refresh_pending(array_agg(k.word_id), array_agg(k.kind))
  from (
    select distinct p.word_id, p.kind
    from public.audio_segments as p
    join public.audio_batches as b on b.id = p.batch_id
    join audio.segment_state as st on st.word_id = p.word_id and st.kind = p.kind
    where p.status in ('queued', 'generating') and b.cancel_requested_at is null
      and st.pending_batch = p_batch_id
  ) as k;

  -- Nothing was left to cancel (e.g. every segment had already finished): settle the status.
  update public.audio_batches as b set
    status = case when b.done + b.failed + b.cancelled >= b.total then 'cancelled' else b.status end,
    finished_at = case when b.done + b.failed + b.cancelled >= b.total then coalesce(b.finished_at, now()) end
  where b.id = p_batch_id;

  select b.status into v_status from public.audio_batches as b where b.id = p_batch_id;
  return v_status;
end;
$$;
revoke all on function audio.missing_segments(uuid[], smallint, text[], boolean, text, text, text, boolean)
  from public, anon, authenticated;
revoke all on function audio.create_batch(uuid[], smallint, text[], boolean, text, text, text, text, uuid, jsonb)
  from public, anon, authenticated;
revoke all on function audio.cancel_batch(uuid) from public, anon, authenticated;
