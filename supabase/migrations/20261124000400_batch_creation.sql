-- Creating batches: what is missing, and one transaction that writes the batch, its segments and
-- their queue messages. Used by the start-batch Edge Function and the nightly backfill.

-- audio.missing_segments: the segments a batch would cover. With p_missing_only, segments whose
-- current audio (same text, voice, model, format) exists are left out, and segments already
-- queued or generating in a live batch are flagged pending (so they are not queued twice).
create or replace function audio.missing_segments(
  p_word_ids uuid[],
  p_grade smallint,
  p_kinds text[],
  p_missing_only boolean,
  p_voice_id text,
  p_model_id text,
  p_format text
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
        and p.text_hash = s.text_hash and p.voice_id = p_voice_id and p.model_id = p_model_id
        and p.format = p_format and b.cancel_requested_at is null
    ) as pending
  from audio.segment_sources as s
  where (p_word_ids is null or s.word_id = any (p_word_ids))
    and (p_grade is null or s.grade = p_grade)
    and s.kind = any (p_kinds)
    and not (
      p_missing_only and exists (
        select 1 from public.word_audio as wa
        where wa.word_id = s.word_id and wa.kind = s.kind and wa.text_hash = s.text_hash
          and wa.voice_id = p_voice_id and wa.model_id = p_model_id and wa.format = p_format
      )
    )
$$;
comment on function audio.missing_segments(uuid[], smallint, text[], boolean, text, text, text) is
  'Segments a batch over these words/grade/kinds would cover; pending = already queued in a live batch.';

-- audio.create_batch: one transaction: the batch row, a segment per source, a pgmq message per
-- segment that needs the provider. Identical content generated before is reused at once (segment
-- done, skipped counted, no message). Nothing to do: no batch, batch_id null.
create or replace function audio.create_batch(
  p_word_ids uuid[] default null,
  p_grade smallint default null,
  p_kinds text[] default array['word', 'definition', 'sentence'],
  p_missing_only boolean default true,
  p_voice_id text default null,
  p_model_id text default null,
  p_format text default null,
  p_source text default 'admin',
  p_requested_by uuid default null
)
returns table (batch_id uuid, total integer, queued integer, skipped integer, pending integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_voice text := coalesce(p_voice_id, audio.setting('voice_id'));
  v_model text := coalesce(p_model_id, audio.setting('model_id'));
  v_format text := coalesce(p_format, audio.setting('format'));
  v_batch uuid;
  v_total integer;
  v_queued integer;
  v_skipped integer;
  v_pending integer;
  v_ids bigint[];
  v_msg_ids bigint[];
begin
  if v_voice is null or v_model is null or v_format is null then
    raise exception 'audio.create_batch: no %: pass it, or store a default with select audio.set_setting(''%'', ''<value>'')',
      case when v_voice is null then 'voice_id' when v_model is null then 'model_id' else 'format' end,
      case when v_voice is null then 'voice_id' when v_model is null then 'model_id' else 'format' end
      using errcode = '22023';
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

  with m as (
    select * from audio.missing_segments(p_word_ids, p_grade, p_kinds, p_missing_only, v_voice, v_model, v_format)
  ), ins as (
    insert into public.audio_segments
      (batch_id, word_id, kind, text, text_hash, voice_id, model_id, format, status, storage_path, bytes, reused, finished_at)
    select v_batch, m.word_id, m.kind, m.text, m.text_hash, v_voice, v_model, v_format,
      case when g.storage_path is null then 'queued' else 'done' end,
      g.storage_path, g.bytes, g.storage_path is not null,
      case when g.storage_path is not null then now() end
    from m
    left join audio.generated_audio as g
      on g.text_hash = m.text_hash and g.voice_id = v_voice and g.model_id = v_model and g.format = v_format
    where not m.pending
    order by m.grade, m.word_id, array_position(array['word', 'definition', 'sentence'], m.kind)
    returning 1
  )
  select (select count(*) from m where m.pending) into v_pending;

  select count(*), count(*) filter (where s.status = 'queued'), count(*) filter (where s.reused)
  into v_total, v_queued, v_skipped
  from public.audio_segments as s where s.batch_id = v_batch;

  if v_total = 0 then
    delete from public.audio_batches as b where b.id = v_batch;
    return query select null::uuid, 0, 0, 0, v_pending;
    return;
  end if;

  -- Reused content: the words now point at the existing object.
  insert into public.word_audio as wa (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes, segment_id)
  select s.word_id, s.kind, s.text_hash, s.voice_id, s.model_id, s.format, s.storage_path, s.bytes, s.id
  from public.audio_segments as s where s.batch_id = v_batch and s.reused
  on conflict (word_id, kind) do update set
    text_hash = excluded.text_hash, voice_id = excluded.voice_id, model_id = excluded.model_id,
    format = excluded.format, storage_path = excluded.storage_path, bytes = excluded.bytes,
    segment_id = excluded.segment_id, updated_at = now();

  select array_agg(s.id order by s.id) into v_ids
  from public.audio_segments as s where s.batch_id = v_batch and s.status = 'queued';
  if v_ids is not null then
    -- send_batch inserts in array order, so msg ids ascend with segment ids.
    select array_agg(t.msg_id order by t.msg_id) into v_msg_ids
    from pgmq.send_batch(
      queue_name => 'audio_segments'::text,
      msgs => (select array_agg(jsonb_build_object('segment_id', i) order by i) from unnest(v_ids) as i)
    ) as t (msg_id);
    update public.audio_segments as s set msg_id = x.msg_id
    from unnest(v_ids, v_msg_ids) as x (id, msg_id) where s.id = x.id;
    -- Long-lived workers LISTEN here and start at once (delivered at commit).
    perform pg_notify('audio_queue_work', v_batch::text);
  end if;

  update public.audio_batches as b set
    total = v_total, done = v_skipped, skipped = v_skipped,
    status = case when v_queued = 0 then 'completed' else 'queued' end,
    finished_at = case when v_queued = 0 then now() end,
    updated_at = now()
  where b.id = v_batch;

  return query select v_batch, v_total, v_queued, v_skipped, v_pending;
end;
$$;
comment on function audio.create_batch(uuid[], smallint, text[], boolean, text, text, text, text, uuid) is
  'Create a batch, its segments and queue messages in one transaction; reuse identical content. batch_id null = nothing to do.';

-- audio.enqueue_missing: the backfill. A batch (source backfill) of every missing or stale
-- segment with the default voice/model/format; segments already pending are not queued again.
create or replace function audio.enqueue_missing(
  p_grade smallint default null,
  p_kinds text[] default array['word', 'definition', 'sentence']
)
returns uuid
language sql
security definer
set search_path = ''
as $$
  select c.batch_id from audio.create_batch(
    p_grade => p_grade, p_kinds => p_kinds, p_missing_only => true, p_source => 'backfill'
  ) as c
$$;
comment on function audio.enqueue_missing(smallint, text[]) is
  'Backfill: queue every missing or stale segment (default voice/model/format); returns the batch id or null. Safe to call twice.';
