-- RLS is enabled on every table in the public and audio schemas, and the four public tables have
-- exactly the admin-read policy.
begin;
\ir ../fixtures.psql
select plan(5);

select is_empty(
  $$select c.oid::regclass::text from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
    where n.nspname in ('public', 'audio') and c.relkind in ('r', 'p') and not c.relrowsecurity$$,
  'every table in public and audio has row-level security enabled');

select policies_are('public', 'words', array['admins read words'], 'words: only the admin read policy');
select policies_are('public', 'audio_batches', array['admins read batches'], 'audio_batches: only the admin read policy');
select policies_are('public', 'audio_segments', array['admins read segments'], 'audio_segments: only the admin read policy');
select policies_are('public', 'word_audio', array['admins read word audio'], 'word_audio: only the admin read policy');

select * from finish();
rollback;
