-- The state of each word and kind, kept as data. The admin page's reads used to recompute it from
-- the whole segment history for every word and kind (two scans of audio_segments each), so their
-- cost grew with words x history; audio.segment_state holds, per (word, kind), everything the
-- state needs — the current text's hash, the audio the app plays, the newest live segment, the
-- newest finished attempt at the current text — and triggers keep it in step with words,
-- word_audio and audio_segments. The page's reads then cost what they show.
--
-- The state itself (ready, stale, missing, queued, generating, failed) still depends on the voice,
-- model and format asked about, so it is computed per row by audio.state_label.

create table audio.segment_state (
  word_id uuid not null references public.words (id) on delete cascade,
  kind text not null check (kind in ('word', 'definition', 'sentence')),
  grade smallint not null,
  word text not null,
  text_hash text not null,
  -- word_audio's row for (word, kind), copied: null when the word has no audio of this kind.
  audio_hash text,
  audio_voice text,
  audio_model text,
  audio_format text,
  audio_path text,
  -- The newest segment (highest id) queued or generating in a batch not being cancelled, its
  -- status and its batch. A cancel leaves these as they were (rewriting every row of a 300,000-
  -- segment batch would make the cancel slow): the reads count them only while pending_batch is
  -- not being cancelled (audio.state_label's p_live).
  pending_id bigint,
  pending text check (pending in ('queued', 'generating')),
  pending_batch uuid,
  -- The newest finished segment (done or failed) that spoke the current text.
  finished_id bigint,
  finished_status text check (finished_status in ('done', 'failed')),
  finished_error text,
  primary key (word_id, kind)
) with (fillfactor = 70);
-- fillfactor 70: most changes (pending, finished, audio) touch no indexed column, and the free
-- third of each page lets them be HOT updates that write no index entry; a 300,000-segment batch
-- rewrites that many rows at creation.
comment on table audio.segment_state is
  'Per word and kind: current text hash, the audio played, the newest live and finished segment; kept by triggers for the admin reads.';

-- A grade's words in the page's order (grade, word, id): the words page walks this index.
create index segment_state_page_idx on audio.segment_state (grade, word, word_id);

-- A word's segments newest first: the state's recomputation, and a word's delete (its segments
-- cascade) without a scan of the history.
create index audio_segments_word_kind_idx on public.audio_segments (word_id, kind, id);

alter table audio.segment_state enable row level security;

-- audio.state_label: the state the admin page shows for one row in this voice, model and format:
-- queued/generating (pending, and p_live: its batch is not being cancelled), ready (audio of the current text in this voice,
-- model and format), stale (other audio), failed (the newest finished attempt at the current
-- text failed), else missing. Immutable plain SQL with no SET clause (which would forbid it), so
-- the planner inlines it into the query: 300,000 rows cost one pass, not 300,000 calls. It names
-- no table and uses only built-in text equality, so the caller's search_path cannot change it.
create function audio.state_label(
  p_state audio.segment_state,
  p_live boolean,
  p_voice_id text,
  p_model_id text,
  p_format text
)
returns text
language sql
immutable
as $$
  select case
    when p_state.pending is not null and p_live then p_state.pending
    when p_state.audio_hash = p_state.text_hash and p_state.audio_voice = p_voice_id
      and p_state.audio_model = p_model_id and p_state.audio_format = p_format then 'ready'
    when p_state.audio_hash is not null then 'stale'
    when p_state.finished_status = 'failed' then 'failed'
    else 'missing'
  end
$$;
comment on function audio.state_label(audio.segment_state, boolean, text, text, text) is
  'ready, stale, missing, queued, generating or failed for one segment_state row in this voice/model/format.';

-- audio.refresh_pending: recompute the newest live segment of these (word, kind) keys from the
-- queued/generating segments, one index lookup per key (audio_segments_word_kind_idx), so its cost
-- follows the keys whatever the planner guesses of the arrays' length. Called when the segment a
-- row points at finishes or is deleted, and by cancel_batch for keys another live batch holds.
create function audio.refresh_pending(p_word_ids uuid[], p_kinds text[])
returns void
language sql
security definer
set search_path = ''
as $$
  update audio.segment_state as st
  set pending_id = l.id, pending = l.status, pending_batch = l.batch_id
  from (
    select k.word_id, k.kind, live.id, live.status, live.batch_id
    from (
      select distinct x.word_id, x.kind from unnest(p_word_ids, p_kinds) as x (word_id, kind)
    ) as k
    left join lateral (
      select s.id, s.status, s.batch_id
      from public.audio_segments as s
      join public.audio_batches as b on b.id = s.batch_id
      where s.word_id = k.word_id and s.kind = k.kind and s.status in ('queued', 'generating')
        and b.cancel_requested_at is null
      order by s.id desc
      limit 1
    ) as live on true
  ) as l
  where st.word_id = l.word_id and st.kind = l.kind
    and (st.pending_id, st.pending) is distinct from (l.id, l.status)
$$;
comment on function audio.refresh_pending(uuid[], text[]) is
  'Recompute segment_state.pending for these (word, kind) keys from the live segments.';

-- audio.track_segment_state: trigger on audio_segments (insert, update; statement level). A
-- segment that turns queued or generating becomes its key's pending segment when it is the newest
-- live one; a finished segment of the current text becomes its key's finished one when it is the
-- newest; when the segment a key's pending points at finishes, the key's pending is recomputed.
-- Runs after the batch counters (trigger names sort), so a worker locks its segment, its batch,
-- then the state row.
create function audio.track_segment_state()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update audio.segment_state as st set pending_id = n.id, pending = n.status, pending_batch = n.batch_id
  from (
    select distinct on (n.word_id, n.kind) n.word_id, n.kind, n.id, n.status, n.batch_id
    from new_rows as n join public.audio_batches as b on b.id = n.batch_id
    where n.status in ('queued', 'generating') and b.cancel_requested_at is null
    order by n.word_id, n.kind, n.id desc
  ) as n
  where st.word_id = n.word_id and st.kind = n.kind and n.id >= coalesce(st.pending_id, 0)
    and (st.pending_id, st.pending) is distinct from (n.id, n.status);

  update audio.segment_state as st
  set finished_id = n.id, finished_status = n.status, finished_error = n.last_error
  from (
    select distinct on (n.word_id, n.kind) n.word_id, n.kind, n.id, n.status, n.last_error, n.text_hash
    from new_rows as n
    where n.status in ('done', 'failed')
    order by n.word_id, n.kind, n.id desc
  ) as n
  where st.word_id = n.word_id and st.kind = n.kind and st.text_hash = n.text_hash
    and n.id >= coalesce(st.finished_id, 0)
    and (st.finished_id, st.finished_status, st.finished_error)
      is distinct from (n.id, n.status, n.last_error);

  -- A cancelled segment keeps its key's pointer: segments are cancelled only in a batch being
  -- cancelled (cancel_batch, guard_segment), which the reads ignore; audio.cancel_batch
  -- recomputes the few keys another live batch also holds.
  -- Joined on the key (the primary key), never on pending_id alone: that would scan the table
  -- for every segment a worker finishes.
  perform audio.refresh_pending(array_agg(st.word_id), array_agg(st.kind))
  from new_rows as n
  join audio.segment_state as st on st.word_id = n.word_id and st.kind = n.kind and st.pending_id = n.id
  where n.status in ('done', 'failed');
  return null;
end;
$$;
comment on function audio.track_segment_state() is
  'Trigger: keep segment_state.pending and .finished in step with inserted and updated segments.';

-- audio.track_segment_state_deletes: trigger on audio_segments (delete; statement level). A key
-- whose pending or finished segment was deleted (a word's delete cascading, history pruned) is
-- recomputed from what is left.
create function audio.track_segment_state_deletes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform audio.refresh_pending(array_agg(st.word_id), array_agg(st.kind))
  from old_rows as o
  join audio.segment_state as st on st.word_id = o.word_id and st.kind = o.kind and st.pending_id = o.id;
  perform audio.refresh_segment_state(array_agg(distinct st.word_id))
  from old_rows as o
  join audio.segment_state as st on st.word_id = o.word_id and st.kind = o.kind and st.finished_id = o.id;
  return null;
end;
$$;
comment on function audio.track_segment_state_deletes() is
  'Trigger: recompute segment_state rows whose pending or finished segment was deleted.';

-- audio.refresh_segment_state: rebuild the rows of these words (null = every word) from their
-- sources, word_audio and segment history: rows for kinds no longer voiced go, new ones come,
-- text, grade and every copied column are recomputed. Used when words change and to fill the
-- table; per word it reads only that word's rows (index lookups).
create function audio.refresh_segment_state(p_word_ids uuid[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from audio.segment_state as st
  where (p_word_ids is null or st.word_id = any (p_word_ids))
    and not exists (
      select 1 from audio.segment_sources as s where s.word_id = st.word_id and s.kind = st.kind
    );

  insert into audio.segment_state as st (
    word_id, kind, grade, word, text_hash, audio_hash, audio_voice, audio_model, audio_format,
    audio_path, pending_id, pending, pending_batch, finished_id, finished_status, finished_error
  )
  select s.word_id, s.kind, s.grade, w.word, s.text_hash, wa.text_hash, wa.voice_id, wa.model_id,
    wa.format, wa.storage_path, p.id, p.status, p.batch_id, f.id, f.status, f.last_error
  from audio.segment_sources as s
  join public.words as w on w.id = s.word_id
  left join public.word_audio as wa on wa.word_id = s.word_id and wa.kind = s.kind
  left join lateral (
    select seg.id, seg.status, seg.batch_id from public.audio_segments as seg
    join public.audio_batches as b on b.id = seg.batch_id
    where seg.word_id = s.word_id and seg.kind = s.kind and seg.status in ('queued', 'generating')
      and b.cancel_requested_at is null
    order by seg.id desc limit 1
  ) as p on true
  left join lateral (
    select seg.id, seg.status, seg.last_error from public.audio_segments as seg
    where seg.word_id = s.word_id and seg.kind = s.kind and seg.text_hash = s.text_hash
      and seg.status in ('done', 'failed')
    order by seg.id desc limit 1
  ) as f on true
  where p_word_ids is null or s.word_id = any (p_word_ids)
  on conflict (word_id, kind) do update set
    grade = excluded.grade, word = excluded.word, text_hash = excluded.text_hash,
    audio_hash = excluded.audio_hash, audio_voice = excluded.audio_voice,
    audio_model = excluded.audio_model, audio_format = excluded.audio_format,
    audio_path = excluded.audio_path, pending_id = excluded.pending_id, pending = excluded.pending,
    pending_batch = excluded.pending_batch,
    finished_id = excluded.finished_id, finished_status = excluded.finished_status,
    finished_error = excluded.finished_error;
end;
$$;
comment on function audio.refresh_segment_state(uuid[]) is
  'Rebuild segment_state rows of these words (null = all) from sources, word_audio and segments.';

-- audio.track_new_words, audio.track_word_edits: triggers on public.words (insert; update;
-- statement level): the rows of new words built, those of words whose voiced texts, word or grade
-- changed rebuilt. (Deleted words' rows cascade.)
create function audio.track_new_words()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform audio.refresh_segment_state(array(select n.id from new_rows as n));
  return null;
end;
$$;
comment on function audio.track_new_words() is 'Trigger: build segment_state rows of inserted words.';

create function audio.track_word_edits()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform audio.refresh_segment_state(array(
    select n.id from new_rows as n join old_rows as o on o.id = n.id
    where (n.word, n.definition, n.example_sentence, n.grade)
      is distinct from (o.word, o.definition, o.example_sentence, o.grade)
  ));
  return null;
end;
$$;
comment on function audio.track_word_edits() is 'Trigger: rebuild segment_state rows of edited words.';

-- audio.track_word_audio, audio.track_word_audio_deletes: triggers on public.word_audio
-- (insert and update; delete; statement level): the audio columns of the rows' keys follow.
create function audio.track_word_audio()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update audio.segment_state as st set audio_hash = n.text_hash, audio_voice = n.voice_id,
    audio_model = n.model_id, audio_format = n.format, audio_path = n.storage_path
  from new_rows as n where st.word_id = n.word_id and st.kind = n.kind;
  return null;
end;
$$;
comment on function audio.track_word_audio() is 'Trigger: copy new or changed word_audio rows into segment_state.';

create function audio.track_word_audio_deletes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update audio.segment_state as st set audio_hash = null, audio_voice = null, audio_model = null,
    audio_format = null, audio_path = null
  from old_rows as o where st.word_id = o.word_id and st.kind = o.kind;
  return null;
end;
$$;
comment on function audio.track_word_audio_deletes() is 'Trigger: clear segment_state''s audio of deleted word_audio rows.';

-- Transition tables allow one event per trigger, hence one trigger per event.
create trigger audio_segments_track_state_insert after insert on public.audio_segments
  referencing new table as new_rows for each statement execute function audio.track_segment_state();
create trigger audio_segments_track_state_update after update on public.audio_segments
  referencing new table as new_rows for each statement execute function audio.track_segment_state();
create trigger audio_segments_track_state_delete after delete on public.audio_segments
  referencing old table as old_rows for each statement execute function audio.track_segment_state_deletes();
create trigger words_track_state_insert after insert on public.words
  referencing new table as new_rows for each statement execute function audio.track_new_words();
create trigger words_track_state_update after update on public.words
  referencing old table as old_rows new table as new_rows
  for each statement execute function audio.track_word_edits();
create trigger word_audio_track_state_insert after insert on public.word_audio
  referencing new table as new_rows for each statement execute function audio.track_word_audio();
create trigger word_audio_track_state_update after update on public.word_audio
  referencing new table as new_rows for each statement execute function audio.track_word_audio();
create trigger word_audio_track_state_delete after delete on public.word_audio
  referencing old table as old_rows for each statement execute function audio.track_word_audio_deletes();

-- Fill it for the words that exist.
select audio.refresh_segment_state(null);

revoke all on audio.segment_state from public, anon, authenticated;
revoke all on function audio.state_label(audio.segment_state, boolean, text, text, text) from public, anon, authenticated;
revoke all on function audio.refresh_pending(uuid[], text[]) from public, anon, authenticated;
revoke all on function audio.track_segment_state() from public, anon, authenticated;
revoke all on function audio.track_segment_state_deletes() from public, anon, authenticated;
revoke all on function audio.refresh_segment_state(uuid[]) from public, anon, authenticated;
revoke all on function audio.track_new_words() from public, anon, authenticated;
revoke all on function audio.track_word_edits() from public, anon, authenticated;
revoke all on function audio.track_word_audio() from public, anon, authenticated;
revoke all on function audio.track_word_audio_deletes() from public, anon, authenticated;
