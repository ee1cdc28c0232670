-- The nightly backfill keeps audio whose text is current, whatever its voice, model or format.
--
-- Before, the backfill counted audio in any voice other than the default as missing, so a batch an
-- admin ran in another voice was spoken again in the default voice the next night (paid twice,
-- and the chosen voice lost), and changing the default voice re-voiced the whole catalog overnight
-- without anyone asking. Now the backfill queues only what has no audio or audio of an older
-- text; re-voicing is an admin's explicit batch (start-batch with a voice, or missingOnly false).
-- Admin batches keep their rule: audio in another voice/model/format counts as missing for them.

drop function audio.missing_segments(uuid[], smallint, text[], boolean, text, text, text);

-- audio.missing_segments: the segments a batch would cover. With p_missing_only, segments whose
-- current audio exists are left out: same text, voice, model and format, or (with
-- p_keep_current_text, the backfill's rule) same text in any voice, model and format. Segments
-- already queued or generating in a live batch are flagged pending (so they are not queued twice).
create function audio.missing_segments(
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
          and (p_keep_current_text
            or (wa.voice_id = p_voice_id and wa.model_id = p_model_id and wa.format = p_format))
      )
    )
$$;
comment on function audio.missing_segments(uuid[], smallint, text[], boolean, text, text, text, boolean) is
  'Segments a batch over these words/grade/kinds would cover; pending = already queued in a live batch.';

-- audio.create_batch: as before (see the create_batch migration for its outcomes), except that a
-- backfill batch (p_source 'backfill') keeps audio of the current text in any voice.
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
  -- (The insert runs although the final select does not read it: data-modifying CTEs always do.)
  with m as (
    select * from audio.missing_segments(p_word_ids, p_grade, p_kinds, p_missing_only, v_voice, v_model, v_format,
      p_keep_current_text => p_source = 'backfill')
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

comment on function audio.enqueue_missing(smallint, text[]) is
  'Backfill: queue every segment with no audio or audio of an older text (default voice/model/format); keeps current-text audio in another voice. Returns the batch id or null.';

revoke all on function audio.missing_segments(uuid[], smallint, text[], boolean, text, text, text, boolean)
  from public, anon, authenticated;
