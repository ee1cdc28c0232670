-- Two of the six index entries each new segment wrote are dropped; a start of the whole catalog
-- (300,000 segments) wrote 1.8 million. Measured at 100,000 words on a scratch cluster (the two
-- indexes dropped inside the measured transaction): a 301,092-segment start 9.4 s -> 8.3 s, a
-- 30,000-segment start 1.05 s -> 0.95 s.
--
-- audio_segments_pending_idx (word_id, kind) of queued and generating segments: every lookup of a
-- key's live segments reads audio_segments_word_kind_idx (word_id, kind, id) instead, which holds
-- a key's whole history (a few rows: history is pruned) and which every segment enters anyway.
--
-- audio_segments_batch_status_idx (batch_id, status, id) of every segment becomes
-- audio_segments_finished_batch_idx, the same columns for done, failed and cancelled segments
-- only: a queued segment (every segment of a start but those reusing audio) enters it when it
-- finishes, a write of the row that changes its status and so writes index entries anyway. A
-- batch's segments page of one status reads this index for those three, and
-- audio_segments_pending_batch_idx (batch_id, id) for queued and generating
-- (supabase/functions/admin-api/segments.ts).

drop index public.audio_segments_pending_idx;
drop index public.audio_segments_batch_status_idx;
create index audio_segments_finished_batch_idx on public.audio_segments (batch_id, status, id)
  where status in ('done', 'failed', 'cancelled');
comment on index public.audio_segments_finished_batch_idx is
  'A batch''s finished segments of one status in id order: the segments page filtered by done, failed or cancelled.';
