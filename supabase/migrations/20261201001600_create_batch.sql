-- Creating batches: what a request covers, and one transaction that writes the batch, its
-- segments and their queue messages. Used by the start-batch Edge Function (one call) and by the
-- nightly backfill (audio.enqueue_missing).

-- audio.missing_segments: the segments a batch would cover. With p_missing_only, segments whose
-- current audio (same text, voice, model, format) exists are left out, and segments already
-- queued or generating in a live batch are flagged pending (so they are not queued twice).
create function audio.missing_segments(
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

-- audio.unknown_word_positions: the positions (1-based, at most the first 10) of the ids in
-- p_word_ids that name no word with anything to voice (no row in audio.segment_sources); null
-- when every id is known.
create function audio.unknown_word_positions(p_word_ids uuid[])
returns integer[]
language sql
stable
security definer
set search_path = ''
as $$
  select array_agg(u.position order by u.position)
  from (
    select w.position::integer as position
    from unnest(p_word_ids) with ordinality as w (id, position)
    where not exists (select 1 from audio.segment_sources as s where s.word_id = w.id)
    order by w.position
    limit 10
  ) as u
$$;
comment on function audio.unknown_word_positions(uuid[]) is
  'Positions (1-based, first 10) of ids in the array that name no word to voice; null when all are known.';

-- audio.create_batch: in one transaction, the batch row, a segment per source, a pgmq message per
-- segment that needs the provider. Identical content generated before is reused at once (segment
-- done and reused, counted in skipped, no message). p_set_defaults is stored first as the
-- database's defaults (audio.store_defaults), as start-batch does with the deployment's settings
-- so the nightly backfill speaks like the admin page; voice, model and format not passed come
-- from those defaults. Outcomes:
--   batch          batch_id set: the batch exists; its queued messages wait for a worker (kick
--                  one); a batch of reused content only is completed already
--   nothing to do  batch_id null, total 0: every segment has current audio or is pending in a
--                  live batch (pending counts those); only the defaults were stored
--   unknown words  batch_id null, unknown_positions = the 1-based positions in p_word_ids (the
--                  first 10) of ids that name no word to voice: nothing written, not even the
--                  defaults; start-batch answers 400 naming wordIds[position - 1]
--   22023          no voice, model or format (the message names which and how to store one),
--                  kinds not a non-empty subset of word, definition, sentence, or p_set_defaults
--                  refused by audio.store_defaults
-- It is long for one function because its steps run under one advisory lock and each reads the
-- rows the one before wrote; the parts shared with other functions are helpers
-- (missing_segments, store_defaults, upsert_word_audio, enqueue_segments).
create function audio.create_batch(
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
  -- (The insert runs although the final select does not read it: data-modifying CTEs always do.)
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
  select count(*) filter (where m.pending) into v_pending from m;

  select count(*), count(*) filter (where s.status = 'queued'), count(*) filter (where s.reused)
  into v_total, v_queued, v_skipped
  from public.audio_segments as s where s.batch_id = v_batch;

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

  if v_queued > 0 then
    with sent as (
      select * from audio.enqueue_segments(v_batch, array(
        select s.id from public.audio_segments as s where s.batch_id = v_batch and s.status = 'queued'
      ))
    )
    update public.audio_segments as s set msg_id = sent.msg_id
    from sent where s.id = sent.segment_id;
  end if;

  update public.audio_batches as b set
    total = v_total, done = v_skipped, skipped = v_skipped,
    status = case when v_queued = 0 then 'completed' else 'queued' end,
    finished_at = case when v_queued = 0 then now() end
  where b.id = v_batch;

  return query select v_batch, v_total, v_queued, v_skipped, v_pending, null::integer[];
end;
$$;
comment on function audio.create_batch(uuid[], smallint, text[], boolean, text, text, text, text, uuid, jsonb) is
  'Create a batch, its segments and queue messages in one transaction; reuse identical content. batch_id null = nothing to do.';

-- audio.enqueue_missing: the nightly backfill. A batch (source backfill) of every missing or stale
-- segment in the default voice, model and format; segments already pending are not queued again,
-- so a second call queues nothing and returns null.
create function audio.enqueue_missing(
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
