-- Grants: the audio schema's functions are not callable by the API roles (only is_admin, which
-- policies evaluate as the requesting user); its tables are not readable by them.
begin;
\ir ../fixtures.psql
select plan(8);

set local role authenticated;
select set_config('request.jwt.claims', audio_test.admin_claims(), true);
select throws_ok($$select audio.cancel_batch('99000000-0000-4000-8000-0000000000ff')$$, '42501', null,
  'authenticated (even an admin) cannot execute audio.cancel_batch');
select throws_ok($$select * from audio.create_batch(p_voice_id => 'v', p_model_id => 'm', p_format => 'mp3')$$, '42501', null,
  'authenticated cannot execute audio.create_batch');
select throws_ok($$select audio.setting('worker_secret')$$, '42501', null,
  'authenticated cannot read settings (the worker secret)');
select throws_ok($$select * from audio.config$$, '42501', null, 'authenticated cannot read audio.config');
reset role;

set local role anon;
select throws_ok($$select audio.cancel_batch('99000000-0000-4000-8000-0000000000ff')$$, '42501', null,
  'anon cannot execute audio.cancel_batch');
select throws_ok($$select * from audio.create_batch(p_voice_id => 'v', p_model_id => 'm', p_format => 'mp3')$$, '42501', null,
  'anon cannot execute audio.create_batch');
reset role;

-- Catalog check, so a function added later without a revoke is caught too.
select is_empty(
  $$select p.oid::regprocedure::text || ' executable by ' || r.rolname
    from pg_proc as p
    join pg_namespace as n on n.oid = p.pronamespace
    cross join (values ('anon'), ('authenticated')) as r (rolname)
    where n.nspname = 'audio' and p.proname <> 'is_admin' and p.prokind = 'f'
      and has_function_privilege(r.rolname, p.oid, 'execute')$$,
  'no audio function other than is_admin is executable by anon or authenticated');
select is_empty(
  $$select c.oid::regclass::text || ' readable by ' || r.rolname
    from pg_class as c
    join pg_namespace as n on n.oid = c.relnamespace
    cross join (values ('anon'), ('authenticated')) as r (rolname)
    where n.nspname = 'audio' and c.relkind in ('r', 'v', 'm', 'p')
      and has_table_privilege(r.rolname, c.oid, 'select')$$,
  'no audio table or view is readable by anon or authenticated');

select * from finish();
rollback;
