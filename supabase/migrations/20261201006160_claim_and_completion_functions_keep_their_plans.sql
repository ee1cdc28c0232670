-- Four SQL functions every claim or completion calls, as plpgsql with their plans kept
-- (plan_cache_mode force_generic_plan). A SQL function that is not inlined (these are security
-- definer) plans its statements afresh on each call; measured at the database (bench at C = 3,
-- 200 ms, 450 segments, track_functions = all), per call: audio.next_in_turn 0.58 ms,
-- audio.upsert_word_audio 0.44 ms, audio.record_claim_turns 0.42 ms, audio.prune_excused_reads
-- 0.40 ms, mostly planning (audio.refresh_pending, the same change in 20261201006150: 0.49 ms to
-- 0.14 ms). Their plans do not depend on their arguments' values: a generic plan is the plan.
-- Bodies as before (20261201005200_fair_claims, 20261201003400_waits_spend_no_deliveries and the
-- word_audio migrations), each statement unchanged.

create or replace function audio.next_in_turn(p_admin boolean, p_qty integer)
returns table (msg_id bigint, batch_id uuid)
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return query
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
  limit p_qty;
end;
$$;
comment on function audio.next_in_turn(boolean, integer) is
  'The next visible messages of live admin (or backfill) batches, round-robin across batches, FIFO within each; locked.';

create or replace function audio.record_claim_turns(p_batch_ids uuid[])
returns void
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
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
  );
end;
$$;
comment on function audio.record_claim_turns(uuid[]) is
  'Record that a claim served these batches (in hand-out order): the batch served last goes last next time.';

create or replace function audio.prune_excused_reads()
returns void
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  with old as (
    select o.msg_id, s.status in ('queued', 'generating') as live
    from audio.excused_reads as o
    join public.audio_segments as s on s.id = o.segment_id
    where o.updated_at < now() - interval '10 minutes'
    order by o.updated_at
    limit 100
    for update of o skip locked
  ), pruned as (
    delete from audio.excused_reads as e using old where e.msg_id = old.msg_id and not old.live
  )
  update audio.excused_reads as e set updated_at = now() from old where e.msg_id = old.msg_id and old.live;
end;
$$;
comment on function audio.prune_excused_reads() is
  'Delete up to 100 ten-minute-old excused-read rows of finished segments; mark live ones seen.';

create or replace function audio.upsert_word_audio(p_segment_ids bigint[])
returns void
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  insert into public.word_audio as wa
    (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes, segment_id,
     batch_id, batch_created_at)
  select s.word_id, s.kind, s.text_hash, s.voice_id, s.model_id, s.format, s.storage_path, s.bytes, s.id,
    b.id, b.created_at
  from public.audio_segments as s
  join public.audio_batches as b on b.id = s.batch_id
  where s.id = any (p_segment_ids)
  on conflict (word_id, kind) do update set
    text_hash = excluded.text_hash, voice_id = excluded.voice_id, model_id = excluded.model_id,
    format = excluded.format, storage_path = excluded.storage_path, bytes = excluded.bytes,
    segment_id = excluded.segment_id, batch_id = excluded.batch_id,
    batch_created_at = excluded.batch_created_at, updated_at = now()
  where (
      coalesce(excluded.text_hash = audio.current_text_hash(excluded.word_id, excluded.kind), false),
      coalesce(excluded.batch_created_at, '-infinity'::timestamptz)
    ) >= (
      coalesce(wa.text_hash = audio.current_text_hash(wa.word_id, wa.kind), false),
      coalesce(wa.batch_created_at, '-infinity'::timestamptz)
    );
end;
$$;
comment on function audio.upsert_word_audio(bigint[]) is
  'Point each segment''s (word, kind) in word_audio at the segment''s object unless the row is more current (current text first, then newer batch); the one writer of word_audio.';

-- create or replace keeps the functions' grants (revoked from public, anon and authenticated).
