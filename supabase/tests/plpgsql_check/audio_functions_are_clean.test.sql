-- plpgsql_check over every PL/pgSQL function in schema audio: no errors and no warnings (unused
-- or shadowed variables, wrong types, missing relations), each trigger function checked against
-- the table its trigger is on, with that trigger's transition tables. The one exception: audio.setting's Vault query, which only runs where Vault exists.
begin;
\ir ../fixtures.psql
create extension if not exists plpgsql_check with schema extensions;
select plan(2);

select isnt_empty(
  $$select 1 from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace
    join pg_language as l on l.oid = p.prolang where n.nspname = 'audio' and l.lanname = 'plpgsql'$$,
  'precondition: schema audio has PL/pgSQL functions to check');

select is_empty(
  $$select p.oid::regprocedure::text || ' line ' || c.lineno || ': ' || c.level || ' ' || c.message
    from pg_proc as p
    join pg_namespace as n on n.oid = p.pronamespace
    join pg_language as l on l.oid = p.prolang
    left join lateral (select t.tgrelid, t.tgoldtable, t.tgnewtable from pg_trigger as t
                       where t.tgfoid = p.oid order by t.oid limit 1) as tg on true
    cross join lateral extensions.plpgsql_check_function_tb(p.oid,
      relid => case when p.prorettype = 'trigger'::regtype then tg.tgrelid else 0 end,
      oldtable => tg.tgoldtable,
      newtable => tg.tgnewtable,
      fatal_errors => false, other_warnings => true, extra_warnings => true, security_warnings => true) as c
    where n.nspname = 'audio' and l.lanname = 'plpgsql'
      and not (p.oid = 'audio.setting(text)'::regprocedure and c.message like '%vault.decrypted_secrets%')$$,
  'plpgsql_check finds nothing in the audio functions');

select * from finish();
rollback;
