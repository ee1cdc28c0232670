-- The words page filtered by a rare state walked its whole grade: at 100,000 words a grade holds
-- 25,000 state rows, and a page of "failed" words (a few per thousand) read all of them, for the
-- page and again for its total (165 ms). Two of the states need no audio at all, in any voice:
-- failed (the newest finished attempt failed) and missing. admin-api's words read adds the
-- matching condition to its filter, and these partial indexes serve it in the page's order. Only
-- audio_hash and finished_status are in their conditions: a start's pointing of segment_state at
-- its new segments changes neither, so those updates stay HOT.
create index segment_state_failed_idx on audio.segment_state (grade, word, word_id)
  where audio_hash is null and finished_status = 'failed';
comment on index audio.segment_state_failed_idx is
  'Words pages filtered by state failed: the rows with no audio whose newest finished attempt failed.';

create index segment_state_no_audio_idx on audio.segment_state (grade, word, word_id)
  where audio_hash is null;
comment on index audio.segment_state_no_audio_idx is
  'Words pages filtered by state missing: the rows with no audio in any voice.';
