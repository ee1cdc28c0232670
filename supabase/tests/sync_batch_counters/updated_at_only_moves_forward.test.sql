-- updated_at on audio_batches and audio_segments only moves forward: later than the version it
-- replaces even inside one transaction (where now() stands still) and even when the stored value
-- is ahead of the clock. Clients order row versions by it.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();
select audio_test.add_word(71, 'lantern');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[71], p_kinds => array['word']);
create temporary table t_seen (what text, at timestamptz) on commit drop;

insert into t_seen select 'batch 0', updated_at from public.audio_batches where id = (select batch_id from t_batch);
update public.audio_batches set updated_at = now() where id = (select batch_id from t_batch);
insert into t_seen select 'batch 1', updated_at from public.audio_batches where id = (select batch_id from t_batch);
update public.audio_batches set done = done where id = (select batch_id from t_batch);
insert into t_seen select 'batch 2', updated_at from public.audio_batches where id = (select batch_id from t_batch);

select ok((select at from t_seen where what = 'batch 1') > (select at from t_seen where what = 'batch 0'),
  'a batch update in the same transaction moves updated_at forward, whatever the statement set');
select ok((select at from t_seen where what = 'batch 2') > (select at from t_seen where what = 'batch 1'),
  'and again on the next update');

-- A segment's status change (which also updates its batch through the counters trigger).
insert into t_seen select 'segment 0', updated_at from public.audio_segments where batch_id = (select batch_id from t_batch);
update public.audio_segments set status = 'generating', updated_at = now() where batch_id = (select batch_id from t_batch);
insert into t_seen select 'segment 1', updated_at from public.audio_segments where batch_id = (select batch_id from t_batch);
select ok((select at from t_seen where what = 'segment 1') > (select at from t_seen where what = 'segment 0'),
  'a segment update moves its updated_at forward');
select ok((select updated_at from public.audio_batches where id = (select batch_id from t_batch))
  > (select at from t_seen where what = 'batch 2'), 'the counters trigger moved the batch forward too');

-- A stored value ahead of the clock (clock step back): the next version is still later. (The
-- broadcasts queued for commit run first: ALTER TABLE refuses a table with pending trigger events.)
select audio_test.at_commit();
alter table public.audio_batches disable trigger audio_batches_advance_updated_at;
update public.audio_batches set updated_at = clock_timestamp() + interval '1 hour' where id = (select batch_id from t_batch);
select audio_test.at_commit();
alter table public.audio_batches enable trigger audio_batches_advance_updated_at;
insert into t_seen select 'ahead', updated_at from public.audio_batches where id = (select batch_id from t_batch);
update public.audio_batches set status = status where id = (select batch_id from t_batch);
select ok((select updated_at from public.audio_batches where id = (select batch_id from t_batch))
  > (select at from t_seen where what = 'ahead'), 'ahead of the clock: still later than before');

select * from finish();
rollback;
