-- The audio that exists: what each word plays (public.word_audio) and every object ever generated,
-- by what determines its bytes (audio.generated_audio). Plus the one writer of word_audio.

create table public.word_audio (
  word_id uuid not null references public.words (id) on delete cascade,
  kind text not null check (kind in ('word', 'definition', 'sentence')),
  text_hash text not null,
  voice_id text not null,
  model_id text not null,
  format text not null,
  storage_path text not null,
  bytes integer not null,
  segment_id bigint,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (word_id, kind)
);
comment on table public.word_audio is
  'The audio the app plays, one row per (word, kind). Missing = no row; stale = text_hash differs from the current text''s.';

-- Content index: lets identical text (in any word, any batch) reuse one object instead of a second
-- provider call. Rows are only added (by complete_segment); objects are content-addressed.
create table audio.generated_audio (
  text_hash text not null,
  voice_id text not null,
  model_id text not null,
  format text not null,
  storage_path text not null,
  bytes integer not null,
  created_at timestamptz not null default now(),
  primary key (text_hash, voice_id, model_id, format)
);

-- audio.upsert_word_audio: the given segments' words now play the segments' audio (storage_path,
-- bytes); a row for the same (word, kind) is replaced, whatever text or voice it had. Called by
-- create_batch (content reused when the batch is created) and complete_segment (audio uploaded or
-- reused later). The segments must carry their storage_path and bytes.
create function audio.upsert_word_audio(p_segment_ids bigint[])
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.word_audio as wa
    (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes, segment_id)
  select s.word_id, s.kind, s.text_hash, s.voice_id, s.model_id, s.format, s.storage_path, s.bytes, s.id
  from public.audio_segments as s
  where s.id = any (p_segment_ids)
  on conflict (word_id, kind) do update set
    text_hash = excluded.text_hash, voice_id = excluded.voice_id, model_id = excluded.model_id,
    format = excluded.format, storage_path = excluded.storage_path, bytes = excluded.bytes,
    segment_id = excluded.segment_id, updated_at = now()
$$;
comment on function audio.upsert_word_audio(bigint[]) is
  'Point each segment''s (word, kind) in word_audio at the segment''s object; the one writer of word_audio.';
