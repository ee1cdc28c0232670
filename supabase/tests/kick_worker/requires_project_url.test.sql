-- audio.kick_worker: with work waiting but no project_url (or worker_secret) stored, the error
-- names the missing setting and where to store it.
begin;
\ir ../fixtures.psql
select plan(2);

select audio_test.clear_work();
delete from audio.config where key in ('project_url', 'worker_secret');
select audio_test.send_message(-1);

select throws_ok('select audio.kick_worker()', '22023',
  'audio.kick_worker: project_url is not set: store it in Vault as audio_queue_project_url (or select audio.set_setting(''project_url'', ''...''))',
  'no project_url: the error names project_url and the fix');

select audio.set_setting('project_url', 'http://127.0.0.1:54321');
select throws_ok('select audio.kick_worker()', '22023',
  'audio.kick_worker: worker_secret is not set: store it in Vault as audio_queue_worker_secret (or select audio.set_setting(''worker_secret'', ''...''))',
  'no worker_secret: the error names worker_secret');

select * from finish();
rollback;
