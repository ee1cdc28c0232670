-- audio.kick_worker right after creating work in the same transaction, as the nightly cron
-- command does ("select audio.enqueue_missing(); select audio.kick_worker('backfill')" runs as one
-- transaction). pgmq stamps messages with clock_timestamp(); a "vt <= now()" test would compare
-- with the transaction start, see no visible message and lose the backfill kick, so kick_worker
-- compares with clock_timestamp().
begin;
\ir ../fixtures.psql
select plan(2);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor');
select audio_test.store_defaults();
select audio_test.store_kick_settings();

select isnt(audio.enqueue_missing(p_grade => 99::smallint), null, 'the backfill queued work');
select isnt(audio.kick_worker('backfill'), null, 'and the kick in the same transaction sees it and posts');

select * from finish();
rollback;
