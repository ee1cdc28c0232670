-- audio.kick_worker right after creating work in the same transaction, as the nightly cron
-- command does ("select audio.enqueue_missing(); select audio.kick_worker('backfill')" runs as one
-- transaction). pgmq stamps messages with clock_timestamp(); kick_worker's "vt <= now()" compares
-- with the transaction start, sees no visible message, and the backfill kick is lost.
-- Fails with the 20261124000700 migration as written; see the report's proposed fix.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(2);

delete from pgmq.q_audio_segments;
insert into public.words (id, word, definition, example_sentence, grade) values
  ('99000000-0000-4000-8000-000000000001', 'harbor', '', '', 99);
select audio.set_setting('voice_id', 'voice-test');
select audio.set_setting('model_id', 'model-test');
select audio.set_setting('format', 'mp3');
select audio.set_setting('project_url', 'http://127.0.0.1:54321');
select audio.set_setting('worker_secret', 'test-worker-secret');

select isnt(audio.enqueue_missing(p_grade => 99::smallint), null, 'the backfill queued work');
select isnt(audio.kick_worker('backfill'), null, 'and the kick in the same transaction sees it and posts');

select * from finish();
rollback;
