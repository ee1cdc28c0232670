-- updated_at on batches and segments only ever moves forward. The admin page (and any Realtime
-- client) orders versions of a row by updated_at and ignores an event older than what it holds.
-- `updated_at = now()` in the functions broke that order: now() is the transaction's start, so of
-- two workers completing segments of one batch, the one whose transaction started first but
-- committed last wrote the newest counters with the older timestamp, and a live page kept showing
-- the batch one segment short of the end. So this trigger is the only writer of updated_at.

-- audio.advance_updated_at: before-update row trigger. It runs after the row lock is taken, on the
-- latest committed version, so "later than the previous version" holds across concurrent
-- transactions and within one (where now() stands still), even if the clock steps back.
create function audio.advance_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := greatest(clock_timestamp(), old.updated_at + interval '1 microsecond');
  return new;
end;
$$;
comment on function audio.advance_updated_at() is
  'Trigger: set updated_at to the wall clock, and always later than the version it replaces.';

create trigger audio_batches_advance_updated_at
before update on public.audio_batches
for each row execute function audio.advance_updated_at();

create trigger audio_segments_advance_updated_at
before update on public.audio_segments
for each row execute function audio.advance_updated_at();
