-- The app's vocabulary: what gets voiced. In an app that already has this table, it is left as it
-- is (if not exists); audio-queue reads it only through audio.segment_sources.

create table if not exists public.words (
  id uuid primary key default gen_random_uuid(),
  word text not null,
  definition text not null default '',
  example_sentence text not null default '',
  grade smallint not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index if not exists words_grade_idx on public.words (grade);
