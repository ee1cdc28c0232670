-- audio.claim_segments: reads up to qty visible messages, returns their live segments, and hides
-- the messages for the visibility timeout so no other worker claims them meanwhile.
begin;
\ir ../fixtures.psql
select plan(8);

-- Start from an empty queue (rolled back with everything else).
select audio_test.clear_work();

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);

create temporary table t_first on commit drop as select * from audio.claim_segments(2, 300);

select results_eq(
  'select segment_id, msg_id, read_ct, batch_id from t_first order by segment_id',
  $$select s.id, s.msg_id, 1, s.batch_id from public.audio_segments as s
    where s.batch_id = (select batch_id from t_batch) and s.kind in ('word', 'definition') order by s.id$$,
  'qty 2: the two oldest segments, with their message ids, read once');

select results_eq(
  $$select text, text_hash, voice_id, model_id, format from t_first
    where segment_id = (select id from public.audio_segments where batch_id = (select batch_id from t_batch) and kind = 'word')$$,
  $$values ('harbor', audio.text_hash('harbor'), 'voice-test', 'model-test', 'mp3')$$,
  'a claimed row carries what the provider call needs');

select is(
  (select count(*)::integer from pgmq.q_audio_segments as q
   where q.msg_id in (select msg_id from t_first) and q.vt > clock_timestamp() + interval '200 seconds'),
  2, 'the claimed messages are hidden for the visibility timeout');

create temporary table t_second on commit drop as select * from audio.claim_segments(10, 300);
select results_eq(
  'select segment_id from t_second',
  $$select id from public.audio_segments where batch_id = (select batch_id from t_batch) and kind = 'sentence'$$,
  'a second claim gets only the message still visible');

select is_empty('select * from audio.claim_segments(10, 300)', 'a third claim gets nothing');

select is(
  (select count(*)::integer from public.audio_segments where batch_id = (select batch_id from t_batch) and status = 'queued'),
  3, 'claiming does not change segment status (begin_attempt does)');

select is(
  (select count(*)::integer from pgmq.q_audio_segments as q
   join public.audio_segments as s on s.msg_id = q.msg_id where s.batch_id = (select batch_id from t_batch)),
  3, 'messages stay in the queue until the segment finishes');

select is(
  (select count(*)::integer from audio.claim_segments(10, 0)),
  0, 'hidden messages are not handed out again, whatever the new timeout');

select * from finish();
rollback;
