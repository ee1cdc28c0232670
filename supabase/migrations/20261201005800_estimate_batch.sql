-- What a batch would be, without creating it: start-batch's dry run. Read-only; the segments come
-- from audio.missing_segments itself, so the counts are the ones audio.create_batch would queue.

-- audio.estimate_batch: one row describing the batch audio.create_batch would create for the same
-- scope, kinds, missing-only flag, voice, model and format.
--
--   unknown_positions  not null: some ids name no word (1-based positions, as create_batch
--                      reports them); every other column is then zero or empty
--   pending            segments another live batch already holds (create_batch leaves them out)
--   by_kind            [{ kind, total, reused, queued }] in word, definition, sentence order
--   total              segments the batch would hold; reused of them take existing audio at
--                      once (create_batch's skipped), queued go to the queue
--   requests           distinct texts among the queued: identical text is synthesised once (a
--                      segment waits for its twin in flight and then reuses its audio)
--   characters         characters of those texts: what the provider bills
--   typical_ms         the mean provider time of the newest p_samples timed requests (done
--                      segments that called the provider), null when none has run yet
--   timed_requests     how many requests that mean is over
--   effective_limit    the concurrency limit now (learned, or the ceiling p_ceiling)
create function audio.estimate_batch(
  p_word_ids uuid[],
  p_grade smallint,
  p_kinds text[],
  p_missing_only boolean,
  p_voice_id text,
  p_model_id text,
  p_format text,
  p_ceiling integer,
  p_samples integer
)
returns table (
  unknown_positions integer[], pending integer, by_kind jsonb, total integer, reused integer,
  queued integer, requests integer, characters bigint, typical_ms integer, timed_requests integer,
  effective_limit integer
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_unknown integer[];
begin
  v_unknown := audio.unknown_word_positions(p_word_ids);
  if v_unknown is not null then
    return query select v_unknown, 0, '[]'::jsonb, 0, 0, 0, 0, 0::bigint, null::integer, 0, null::integer;
    return;
  end if;

  return query
  with m as materialized (
    select * from audio.missing_segments(p_word_ids, p_grade, p_kinds, p_missing_only, p_voice_id, p_model_id, p_format)
  ), s as materialized (
    -- What create_batch inserts: the segments not pending elsewhere, reused where the content
    -- index already has their audio.
    select m.kind, m.text, m.text_hash, g.text_hash is not null as reused
    from m
    left join audio.generated_audio as g
      on g.text_hash = m.text_hash and g.voice_id = p_voice_id and g.model_id = p_model_id and g.format = p_format
    where not m.pending
  ), k as (
    select s.kind, count(*)::integer as total, count(*) filter (where s.reused)::integer as reused
    from s group by s.kind
  ), texts as (
    select distinct on (s.text_hash) char_length(s.text) as chars
    from s where not s.reused
  ), timed as (
    -- Newest first along the primary key: no sort of the history.
    select p.provider_ms
    from public.audio_segments as p
    where p.status = 'done' and not p.reused and p.provider_ms is not null
    order by p.id desc
    limit p_samples
  )
  select null::integer[],
    (select count(*)::integer from m where m.pending),
    coalesce((
      select jsonb_agg(jsonb_build_object('kind', k.kind, 'total', k.total, 'reused', k.reused,
        'queued', k.total - k.reused) order by array_position(array['word', 'definition', 'sentence'], k.kind))
      from k), '[]'::jsonb),
    (select count(*)::integer from s),
    (select count(*)::integer from s where s.reused),
    (select count(*)::integer from s where not s.reused),
    (select count(*)::integer from texts),
    (select coalesce(sum(texts.chars), 0)::bigint from texts),
    (select round(avg(timed.provider_ms))::integer from timed),
    (select count(*)::integer from timed),
    (select coalesce(r.effective, p_ceiling) from audio.concurrency_report(p_ceiling) as r);
end;
$$;

comment on function audio.estimate_batch(uuid[], smallint, text[], boolean, text, text, text, integer, integer) is
  'What audio.create_batch would create for the same arguments (segments by kind, reused, queued, characters), the typical request time and the concurrency limit now. Writes nothing.';

revoke all on function audio.estimate_batch(uuid[], smallint, text[], boolean, text, text, text, integer, integer)
  from public, anon, authenticated;
