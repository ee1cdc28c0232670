-- audio.grade_summary from counts kept as data. It grouped every segment_state row on each call:
-- 277 ms at 100,000 words (300,000 rows), and growing with the catalog. Now triggers on
-- segment_state append, per statement, how many rows each combination of the summary's inputs
-- gained or lost (audio.state_counts); the summary sums those few rows. Appending, never updating
-- a shared count, so workers finishing segments at once never wait on each other's row; pg_cron's
-- audio-queue-compact-counts folds the rows into one per combination every minute.

-- audio.state_counts: signed counts of segment_state rows by what the summary reads of them.
-- The sum of n over rows with the same key is the number of state rows with that key now.
create table audio.state_counts (
  grade smallint not null,
  is_word boolean not null,
  pending text,
  pending_batch uuid,
  audio_voice text,
  audio_model text,
  audio_format text,
  -- audio_hash = text_hash (the audio is of the current text), audio_hash is not null, and
  -- finished_status = 'failed': the three facts audio.state_label reads besides the voice.
  audio_current boolean not null,
  has_audio boolean not null,
  failed boolean not null,
  n integer not null
);
alter table audio.state_counts enable row level security;
comment on table audio.state_counts is
  'Signed counts of segment_state rows by grade, kind = word and the state''s inputs; summed by audio.grade_summary.';

-- The triggers that append to audio.state_counts: +1 per row a statement added to segment_state,
-- -1 per row it took away, summed by key (an update's unchanged keys cancel out and are left out).
-- Three functions, one per event: each reads only the transition tables its event has.
create function audio.count_state_inserts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into audio.state_counts
  select r.grade, r.kind = 'word', r.pending, r.pending_batch, r.audio_voice, r.audio_model,
      r.audio_format, coalesce(r.audio_hash = r.text_hash, false), r.audio_hash is not null,
      coalesce(r.finished_status = 'failed', false), count(*)::integer
  from new_rows as r
  group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
  return null;
end;
$$;
comment on function audio.count_state_inserts() is
  'Trigger: append to audio.state_counts the segment_state rows a statement inserted.';

create function audio.count_state_deletes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into audio.state_counts
  select r.grade, r.kind = 'word', r.pending, r.pending_batch, r.audio_voice, r.audio_model,
      r.audio_format, coalesce(r.audio_hash = r.text_hash, false), r.audio_hash is not null,
      coalesce(r.finished_status = 'failed', false), -count(*)::integer
  from old_rows as r
  group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
  return null;
end;
$$;
comment on function audio.count_state_deletes() is
  'Trigger: append to audio.state_counts the segment_state rows a statement deleted, negated.';

create function audio.count_state_updates()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into audio.state_counts
  select d.grade, d.is_word, d.pending, d.pending_batch, d.audio_voice, d.audio_model,
    d.audio_format, d.audio_current, d.has_audio, d.failed, sum(d.n)::integer
  from (
    select r.grade, r.kind = 'word' as is_word, r.pending, r.pending_batch, r.audio_voice,
      r.audio_model, r.audio_format, coalesce(r.audio_hash = r.text_hash, false) as audio_current,
      r.audio_hash is not null as has_audio, coalesce(r.finished_status = 'failed', false) as failed,
      1 as n
    from new_rows as r
    union all
    select r.grade, r.kind = 'word', r.pending, r.pending_batch, r.audio_voice, r.audio_model,
      r.audio_format, coalesce(r.audio_hash = r.text_hash, false), r.audio_hash is not null,
      coalesce(r.finished_status = 'failed', false), -1
    from old_rows as r
  ) as d
  group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
  having sum(d.n) <> 0;
  return null;
end;
$$;
comment on function audio.count_state_updates() is
  'Trigger: append to audio.state_counts what a statement''s updates moved between keys.';

-- A truncate (of segment_state, or of public.words cascading to it) fires none of the triggers
-- above: it empties the counts with the table.
create function audio.count_state_truncate()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from audio.state_counts;
  return null;
end;
$$;
comment on function audio.count_state_truncate() is
  'Trigger: empty audio.state_counts when segment_state is truncated.';

-- The triggers and the counts of the rows already there, in one transaction with segment_state
-- locked against writes meanwhile: no change is counted twice (by a trigger and by the fill) or
-- missed.
do $$
begin
  lock table audio.segment_state in share mode;
  create trigger segment_state_counts_insert after insert on audio.segment_state
    referencing new table as new_rows for each statement execute function audio.count_state_inserts();
  create trigger segment_state_counts_update after update on audio.segment_state
    referencing old table as old_rows new table as new_rows
    for each statement execute function audio.count_state_updates();
  create trigger segment_state_counts_delete after delete on audio.segment_state
    referencing old table as old_rows for each statement execute function audio.count_state_deletes();
  create trigger segment_state_counts_truncate after truncate on audio.segment_state
    for each statement execute function audio.count_state_truncate();
  insert into audio.state_counts
  select r.grade, r.kind = 'word', r.pending, r.pending_batch, r.audio_voice, r.audio_model,
    r.audio_format, coalesce(r.audio_hash = r.text_hash, false), r.audio_hash is not null,
    coalesce(r.finished_status = 'failed', false), count(*)::integer
  from audio.segment_state as r
  group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
end $$;

-- audio.compact_state_counts: fold the appended rows into one per key (keys whose sum is 0 go).
-- Rows appended meanwhile by other transactions are not in the delete's snapshot and stay.
create function audio.compact_state_counts()
returns void
language sql
security definer
set search_path = ''
as $$
  with gone as (
    delete from audio.state_counts returning *
  )
  insert into audio.state_counts
  select g.grade, g.is_word, g.pending, g.pending_batch, g.audio_voice, g.audio_model, g.audio_format,
    g.audio_current, g.has_audio, g.failed, sum(g.n)::integer
  from gone as g
  group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
  having sum(g.n) <> 0
$$;
comment on function audio.compact_state_counts() is
  'Fold audio.state_counts into one row per key; pg_cron runs it every minute.';

-- audio.grade_summary: as in the admin_reads_from_state migration (the same states, by
-- audio.state_label's rules), from the counts.
create or replace function audio.grade_summary(p_voice_id text, p_model_id text, p_format text)
returns table (
  grade smallint, words integer, segments integer, ready integer, missing integer, stale integer,
  pending integer, failed integer
)
language sql
stable
security definer
set search_path = ''
as $$
  select g.grade,
    coalesce(sum(g.n) filter (where g.is_word), 0)::integer,
    sum(g.n)::integer,
    coalesce(sum(g.n) filter (where g.state = 'ready'), 0)::integer,
    coalesce(sum(g.n) filter (where g.state = 'missing'), 0)::integer,
    coalesce(sum(g.n) filter (where g.state = 'stale'), 0)::integer,
    coalesce(sum(g.n) filter (where g.state in ('queued', 'generating')), 0)::integer,
    coalesce(sum(g.n) filter (where g.state = 'failed'), 0)::integer
  from (
    select c.grade, c.is_word, c.n,
      case
        when c.pending is not null and b.cancel_requested_at is null then c.pending
        when c.audio_current and c.audio_voice = p_voice_id and c.audio_model = p_model_id
          and c.audio_format = p_format then 'ready'
        when c.has_audio then 'stale'
        when c.failed then 'failed'
        else 'missing'
      end as state
    from (
      select s.grade, s.is_word, s.pending, s.pending_batch, s.audio_voice, s.audio_model,
        s.audio_format, s.audio_current, s.has_audio, s.failed, sum(s.n) as n
      from audio.state_counts as s
      group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
      having sum(s.n) <> 0
    ) as c
    left join public.audio_batches as b on b.id = c.pending_batch
  ) as g
  group by g.grade
  order by g.grade
$$;

do $$
begin
  if exists (select 1 from cron.job as j where j.jobname = 'audio-queue-compact-counts') then
    perform cron.unschedule(job_name => 'audio-queue-compact-counts'::name);
  end if;
  perform cron.schedule(
    job_name => 'audio-queue-compact-counts'::text,
    schedule => '* * * * *'::text,
    command => $cmd$select audio.compact_state_counts()$cmd$::text
  );
end $$;

revoke all on audio.state_counts from public, anon, authenticated;
revoke all on function audio.count_state_inserts() from public, anon, authenticated;
revoke all on function audio.count_state_deletes() from public, anon, authenticated;
revoke all on function audio.count_state_updates() from public, anon, authenticated;
revoke all on function audio.count_state_truncate() from public, anon, authenticated;
revoke all on function audio.compact_state_counts() from public, anon, authenticated;
revoke all on function audio.grade_summary(text, text, text) from public, anon, authenticated;
