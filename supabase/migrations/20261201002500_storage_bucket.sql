-- The Storage bucket the worker uploads to. Private: the app reads through signed URLs or its own
-- policy. Object paths are derived from the content (voice, model, format, text hash).

insert into storage.buckets (id, name, public)
values ('word-audio', 'word-audio', false)
on conflict (id) do nothing;
