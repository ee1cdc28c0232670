-- Two settings for the start and room in segment_state's pages, for a start of the whole catalog
-- (300,000 segments).
--
-- audio.create_batch runs with work_mem 64 MB and without JIT compilation. With the default 4 MB
-- its sorts of 300,000 rows (the page order, the message ids) and the grade counts' grouping of
-- the 600,000 changed state rows spill to disk; JIT compiles each large statement's plan afresh
-- (20-50 ms a statement: a tenth of a 30,000-segment start) for statements that are writes
-- dominated by row storage, where compiled expressions save nothing measurable. Only the start's
-- own statements and the triggers they fire see these settings; the memory is held for the
-- length of one start.
--
-- audio.segment_state: fillfactor 50 (was 70). A start points every row it queues at its new
-- segment; a state row is ~380 bytes, so at 70 a page had room for a new version of only about
-- two rows in five, and the rest were written as new index entries too (not HOT updates). At 50
-- a rewrite of every row on a page fits on the page. The table is rewritten here (in the words
-- page's order) so rows that exist get the room; at 100,000 words it grows from ~160 to ~220 MB.

alter function audio.create_batch(uuid[], smallint, text[], boolean, text, text, text, text, uuid, jsonb)
  set work_mem = '64MB';
alter function audio.create_batch(uuid[], smallint, text[], boolean, text, text, text, text, uuid, jsonb)
  set jit = off;

alter table audio.segment_state set (fillfactor = 50);
cluster audio.segment_state using segment_state_page_idx;
analyze audio.segment_state;
