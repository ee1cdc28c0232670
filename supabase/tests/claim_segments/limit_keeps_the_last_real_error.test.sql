-- audio.claim_segments: when the delivery limit ends a segment whose deliveries ended in
-- unexpected errors (return_messages with p_error), last_error says the limit and keeps the last
-- real error; an excused delivery in between counts for nothing.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1], array['word']);
create temporary table t_seg on commit drop as
  select id, msg_id from public.audio_segments where batch_id = (select batch_id from t_batch);

select is(audio.return_messages(array[(select msg_id from audio.claim_segments(1, 300, 2))], 0,
  'Storage upload of x.mp3 failed: Storage did not answer within 30000 ms'), 1, 'first delivery: an error');
select is(audio.return_messages(array[(select msg_id from audio.claim_segments(1, 300, 2))]), 1,
  'second delivery: handed back unstarted (excused)');
select is(audio.return_messages(array[(select msg_id from audio.claim_segments(1, 300, 2))], 0,
  'Storage upload of x.mp3 failed: Storage did not answer within 30000 ms'), 1,
  'third delivery: the error again (the second counted)');

select is_empty('select * from audio.claim_segments(1, 300, 2)', 'the fourth (third counted) fails it');
select results_eq(
  $$select status, last_error from public.audio_segments where id = (select id from t_seg)$$,
  $$values ('failed', 'delivered 3 times without finishing (limit 2); last error: Storage upload of x.mp3 failed: Storage did not answer within 30000 ms')$$,
  'last_error says the limit and keeps the real cause');

select * from finish();
rollback;
