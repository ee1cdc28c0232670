-- A segment's word and batch are checked once per statement instead of once per row.
--
-- audio_segments had two foreign keys (word_id to public.words, batch_id to public.audio_batches,
-- both on delete cascade). Postgres checks a foreign key with one lookup and one row lock per
-- inserted row; a start of the whole catalog inserts 300,000 segments, and the two checks took
-- about 2 s of its 13 s (measured by disabling them; 0.3 s of a 30,000-segment start's 1.5 s). The
-- same rules now run as statement triggers:
--
--   insert     every new segment's word and batch must exist, read in one pass over the new rows
--              (an error with SQLSTATE 23503, as the foreign key raised, naming the missing id).
--   update     a segment's word and batch never change (nothing changes them; a row trigger whose
--              WHEN clause is false costs the workers' updates nothing).
--   delete     deleting words or batches deletes their segments (the cascade), in one statement.
--   truncate   truncating words or batches while segments remain fails, as with the foreign keys.
--   ids        changing the id of a word or batch that has segments fails.
--
-- What a foreign key also gave: a row lock on each word, so a word deleted while a start inserts
-- its segments waits for that start. Here the start (audio.create_batch, and any other insert of
-- segments, through the insert trigger) holds the advisory lock 'audio.create_batch' exclusively,
-- and a delete of words or batches takes it shared before it deletes a row: the delete waits for a
-- start in progress and then its cascade sees that start's segments; a start waits for a delete in
-- progress and then no longer sees its words.

alter table public.audio_segments
  drop constraint audio_segments_word_id_fkey,
  drop constraint audio_segments_batch_id_fkey;

-- audio.check_segment_references: trigger on audio_segments (insert; statement level).
create function audio.check_segment_references()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_missing text;
begin
  perform pg_advisory_xact_lock(hashtext('audio.create_batch'));

  select n.word_id::text into v_missing
  from (select distinct r.word_id from new_rows as r) as n
  where not exists (select 1 from public.words as w where w.id = n.word_id)
  limit 1;
  if found then
    raise exception 'audio_segments: word % does not exist', coalesce(v_missing, 'null')
      using errcode = '23503', hint = 'A segment must name a row of public.words.';
  end if;

  select n.batch_id::text into v_missing
  from (select distinct r.batch_id from new_rows as r) as n
  where not exists (select 1 from public.audio_batches as b where b.id = n.batch_id)
  limit 1;
  if found then
    raise exception 'audio_segments: batch % does not exist', coalesce(v_missing, 'null')
      using errcode = '23503', hint = 'A segment must name a row of public.audio_batches.';
  end if;
  return null;
end;
$$;
comment on function audio.check_segment_references() is
  'Trigger: every inserted segment names an existing word and batch (the foreign keys'' check, once per statement).';

-- audio.keep_segment_references: trigger on audio_segments (before update, row level, only when
-- word_id or batch_id would change).
create function audio.keep_segment_references()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  raise exception 'audio_segments: segment % cannot move to another word or batch', old.id
    using errcode = '23503', hint = 'Queue a new batch instead.';
end;
$$;
comment on function audio.keep_segment_references() is
  'Trigger: a segment''s word_id and batch_id never change.';

-- audio.hold_segment_inserts: trigger on words and audio_batches (before delete; statement level).
create function audio.hold_segment_inserts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform pg_advisory_xact_lock_shared(hashtext('audio.create_batch'));
  return null;
end;
$$;
comment on function audio.hold_segment_inserts() is
  'Trigger: a delete of words or batches waits for a start in progress (and holds later starts until it commits).';

-- audio.delete_referring_segments: trigger on words and audio_batches (after delete; statement
-- level): the cascade, one statement per delete.
create function audio.delete_referring_segments()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Two statements, so each reads an index (audio_segments_word_kind_idx, audio_segments_batch_idx).
  if tg_table_name = 'words' then
    delete from public.audio_segments as s where s.word_id in (select o.id from old_rows as o);
  else
    delete from public.audio_segments as s where s.batch_id in (select o.id from old_rows as o);
  end if;
  return null;
end;
$$;
comment on function audio.delete_referring_segments() is
  'Trigger: delete the segments of deleted words or batches.';

-- audio.keep_referenced_ids: trigger on words and audio_batches (before update, row level, only
-- when the id changes): refused while segments name the old id.
create function audio.keep_referenced_ids()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Two statements, so each reads an index (audio_segments_word_kind_idx, audio_segments_batch_idx).
  if (tg_table_name = 'words' and exists (select 1 from public.audio_segments as s where s.word_id = old.id))
    or (tg_table_name = 'audio_batches'
      and exists (select 1 from public.audio_segments as s where s.batch_id = old.id)) then
    raise exception '%: % is still named by audio_segments', tg_table_name, old.id
      using errcode = '23503', hint = 'Delete its segments first, or keep the id.';
  end if;
  return new;
end;
$$;
comment on function audio.keep_referenced_ids() is
  'Trigger: the id of a word or batch that segments name cannot change.';

-- audio.refuse_truncate_under_segments: trigger on words and audio_batches (after truncate): a
-- truncate that leaves segments naming the rows it removed fails (truncate audio_segments in the
-- same statement).
create function audio.refuse_truncate_under_segments()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from public.audio_segments) then
    raise exception 'cannot truncate %: audio_segments still names its rows', tg_table_name
      using errcode = '0A000', hint = 'Truncate public.audio_segments in the same statement.';
  end if;
  return null;
end;
$$;
comment on function audio.refuse_truncate_under_segments() is
  'Trigger: truncating words or batches fails while segments remain.';

create trigger audio_segments_check_references after insert on public.audio_segments
  referencing new table as new_rows for each statement execute function audio.check_segment_references();
create trigger audio_segments_keep_references before update on public.audio_segments
  for each row when (new.word_id is distinct from old.word_id or new.batch_id is distinct from old.batch_id)
  execute function audio.keep_segment_references();

create trigger words_hold_segment_inserts before delete on public.words
  for each statement execute function audio.hold_segment_inserts();
create trigger words_delete_segments after delete on public.words
  referencing old table as old_rows for each statement execute function audio.delete_referring_segments();
create trigger words_keep_referenced_ids before update on public.words
  for each row when (new.id is distinct from old.id) execute function audio.keep_referenced_ids();
create trigger words_refuse_truncate_under_segments after truncate on public.words
  for each statement execute function audio.refuse_truncate_under_segments();

create trigger audio_batches_hold_segment_inserts before delete on public.audio_batches
  for each statement execute function audio.hold_segment_inserts();
create trigger audio_batches_delete_segments after delete on public.audio_batches
  referencing old table as old_rows for each statement execute function audio.delete_referring_segments();
create trigger audio_batches_keep_referenced_ids before update on public.audio_batches
  for each row when (new.id is distinct from old.id) execute function audio.keep_referenced_ids();
create trigger audio_batches_refuse_truncate_under_segments after truncate on public.audio_batches
  for each statement execute function audio.refuse_truncate_under_segments();

revoke all on function audio.check_segment_references() from public, anon, authenticated;
revoke all on function audio.keep_segment_references() from public, anon, authenticated;
revoke all on function audio.hold_segment_inserts() from public, anon, authenticated;
revoke all on function audio.delete_referring_segments() from public, anon, authenticated;
revoke all on function audio.keep_referenced_ids() from public, anon, authenticated;
revoke all on function audio.refuse_truncate_under_segments() from public, anon, authenticated;
