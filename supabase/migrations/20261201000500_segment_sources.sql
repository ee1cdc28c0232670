-- The one place that maps the app's vocabulary onto segments. To adopt audio-queue on another
-- schema, redefine this view (same columns) and nothing else.

-- audio.segment_sources: one row per (word, kind) with text to voice: the word itself, its
-- definition and its example sentence; blank texts are left out.
create view audio.segment_sources as
select w.id as word_id, w.grade, k.kind, k.text, audio.text_hash(k.text) as text_hash
from public.words as w
cross join lateral (
  values ('word', w.word), ('definition', w.definition), ('sentence', w.example_sentence)
) as k (kind, text)
where btrim(coalesce(k.text, '')) <> '';
comment on view audio.segment_sources is
  'Every segment the app needs voiced: (word_id, grade, kind, text, text_hash). Edit this view to map another vocabulary table.';
