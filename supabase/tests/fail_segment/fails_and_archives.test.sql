-- audio.fail_segment: the provider refused or retries ran out: the segment is failed with the
-- error, the message goes to the archive (dead letter), the batch counts it once.
begin;
\ir ../fixtures.psql
select plan(8);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_seg on commit drop as
  select id, kind, msg_id from public.audio_segments where batch_id = (select batch_id from t_batch);
select audio.begin_attempt(s.id, s.msg_id, 'worker-a', 3, 60, 600) from t_seg as s where s.kind = 'word';

select is(audio.fail_segment((select id from t_seg where kind = 'word'), (select msg_id from t_seg where kind = 'word'),
  'cartesia 400: voice not found'), true, 'fail_segment returns true');
select results_eq(
  $$select status, last_error, finished_at is not null from public.audio_segments where id = (select id from t_seg where kind = 'word')$$,
  $$values ('failed', 'cartesia 400: voice not found', true)$$, 'the segment is failed with the error');
select is_empty('select 1 from pgmq.q_audio_segments where msg_id = (select msg_id from t_seg where kind = ''word'')',
  'the message left the queue');
select isnt_empty('select 1 from pgmq.a_audio_segments where msg_id = (select msg_id from t_seg where kind = ''word'')',
  'the message is in the archive');
select results_eq(
  $$select failed, done, status from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values (1, 0, 'running')$$, 'the batch counts one failure and keeps running');

select is(audio.fail_segment((select id from t_seg where kind = 'word'), (select msg_id from t_seg where kind = 'word'), 'again'),
  false, 'failing it again: false');
select is((select failed from public.audio_batches where id = (select batch_id from t_batch)), 1, 'not counted twice');

-- A very long provider message is kept, but bounded.
select audio.fail_segment((select id from t_seg where kind = 'definition'), (select msg_id from t_seg where kind = 'definition'),
  repeat('x', 5000));
select is((select length(last_error) from public.audio_segments where id = (select id from t_seg where kind = 'definition')),
  2000, 'the stored error is cut to 2000 characters');

select * from finish();
rollback;
