-- The content hash that addresses audio: segments, word_audio and the content index compare
-- texts by it, and the Storage path of an object contains it.

-- audio.text_hash: hex sha-256 of the NFC-normalised text with leading and trailing spaces
-- removed. The TypeScript side (supabase/functions/_shared/provider/object_path.ts) computes the
-- same value; the pgTAP test and the worker's tests keep them in step.
create function audio.text_hash(p_text text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select encode(sha256(convert_to(normalize(btrim(p_text), nfc), 'UTF8')), 'hex')
$$;
comment on function audio.text_hash(text) is
  'Content hash of a segment''s text (sha-256 hex of NFC-normalised trimmed text).';
