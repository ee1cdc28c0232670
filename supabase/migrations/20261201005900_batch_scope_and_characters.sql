-- Two facts of a batch the admin page shows and could not tell: what it was started over, and
-- how many characters it sent to the provider.
--   scope       'words' (a list of word ids), 'grade' or 'all' (the whole catalog), set by
--               audio.create_batch. A batch of every grade and one of chosen words both have no
--               grade, and the history called both "chosen words". Null for batches created
--               before this migration that had no grade.
--   characters  the characters of the text of every segment the batch generated (done, not
--               reused): what the provider bills, since it bills per character. Kept by the
--               counter trigger beside done, and never lowered (a segment deleted later with its
--               word was still paid for). Filled here for the batches that exist.

alter table public.audio_batches
  add column scope text check (scope in ('words', 'grade', 'all')),
  add column characters bigint not null default 0 check (characters >= 0);
comment on column public.audio_batches.scope is
  'What the batch was started over: words (a list of ids), grade, or all (the whole catalog); null before it was recorded.';
comment on column public.audio_batches.characters is
  'Characters of the text of the segments this batch generated (done, not reused): what the provider bills.';

update public.audio_batches as b set scope = 'grade' where b.grade is not null;
update public.audio_batches as b set characters = c.n
from (
  select s.batch_id, sum(pg_catalog.length(s.text)) as n
  from public.audio_segments as s
  where s.status = 'done' and not s.reused
  group by s.batch_id
) as c
where b.id = c.batch_id;

-- audio.create_batch: as in the catalog_sized_batches migration, and records the batch's scope.
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

  insert into public.audio_batches (source, requested_by, voice_id, model_id, format, kinds, grade, missing_only, scope)
  values (p_source, p_requested_by, v_voice, v_model, v_format, p_kinds, p_grade, p_missing_only,
    case when p_word_ids is not null then 'words' when p_grade is not null then 'grade' else 'all' end)
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

-- audio.sync_batch_counters: as in the batch_row_locked_only_for_counts migration, and adds the
-- characters of the segments that became done without reusing audio.
create or replace function audio.sync_batch_counters()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_changed uuid[];
begin
  with changed as (
    update public.audio_batches as b set
      done = b.done + d.d_done,
      failed = b.failed + d.d_failed,
      cancelled = b.cancelled + d.d_cancelled,
      skipped = b.skipped + d.d_skipped,
      characters = b.characters + greatest(d.d_characters, 0),
      started_at = coalesce(b.started_at, case when d.any_generating then now() end)
    from (
      select n.batch_id,
        count(*) filter (where n.status = 'done') - count(*) filter (where o.status = 'done') as d_done,
        count(*) filter (where n.status = 'failed') - count(*) filter (where o.status = 'failed') as d_failed,
        count(*) filter (where n.status = 'cancelled') - count(*) filter (where o.status = 'cancelled') as d_cancelled,
        count(*) filter (where n.status = 'done' and n.reused) - count(*) filter (where o.status = 'done' and o.reused) as d_skipped,
        coalesce(sum(pg_catalog.length(n.text)) filter (where n.status = 'done' and not n.reused), 0)
          - coalesce(sum(pg_catalog.length(o.text)) filter (where o.status = 'done' and not o.reused), 0)
          as d_characters,
        bool_or(n.status = 'generating') as any_generating
      from new_rows as n
      join old_rows as o on o.id = n.id
      where n.status is distinct from o.status or n.reused is distinct from o.reused
      group by n.batch_id
    ) as d
    where b.id = d.batch_id
      and (d.d_done <> 0 or d.d_failed <> 0 or d.d_cancelled <> 0 or d.d_skipped <> 0
        or d.d_characters > 0 or (d.any_generating and b.started_at is null))
    returning b.id
  )
  select array_agg(changed.id) into v_changed from changed;

  -- A second statement, so it sees the counters the first one wrote.
  if v_changed is not null then
    perform audio.settle_batch_status(v_changed);
  end if;
  return null;
end;
$$;
comment on function audio.sync_batch_counters() is
  'Trigger: fold segment status changes into audio_batches counters and characters, and settle the status of the batches that changed.';

-- audio.batch_list_row: as in the broadcast_batch migration, and carries what the history names a
-- batch by (grade, scope, who started it) and its characters, so a batch first seen in a message
-- is labelled as a read of it would be.
create or replace function audio.batch_list_row(p_batch public.audio_batches)
returns jsonb
language sql
immutable
security definer
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'id', p_batch.id, 'status', p_batch.status, 'source', p_batch.source, 'total', p_batch.total,
    'done', p_batch.done, 'failed', p_batch.failed, 'cancelled', p_batch.cancelled,
    'skipped', p_batch.skipped, 'created_at', p_batch.created_at,
    'started_at', p_batch.started_at, 'finished_at', p_batch.finished_at,
    'updated_at', p_batch.updated_at, 'grade', p_batch.grade, 'scope', p_batch.scope,
    'requested_by', p_batch.requested_by, 'characters', p_batch.characters)
$$;
comment on function audio.batch_list_row(public.audio_batches) is
  'Payload of a batch message on topic batches: the batch as the list shows it.';

revoke all on function audio.create_batch(uuid[], smallint, text[], boolean, text, text, text, text, uuid, jsonb)
  from public, anon, authenticated;
revoke all on function audio.sync_batch_counters() from public, anon, authenticated;
revoke all on function audio.batch_list_row(public.audio_batches) from public, anon, authenticated;
