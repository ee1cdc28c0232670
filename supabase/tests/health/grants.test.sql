-- audio.health: for admins (through admin-api) and the service role only, like the admin page's
-- other reads.
begin;
\ir ../fixtures.psql
select plan(5);

select ok(not has_function_privilege('anon', 'audio.health(integer, timestamptz)', 'execute'), 'anon cannot call it');
select ok(not has_function_privilege('authenticated', 'audio.health(integer, timestamptz)', 'execute'),
  'a signed-in user cannot call it');
select ok(has_function_privilege('service_role', 'audio.health(integer, timestamptz)', 'execute'), 'the service role can');
select ok(not has_function_privilege('anon', 'audio.pipeline_health(integer, timestamptz)', 'execute'),
  'anon cannot call its pipeline part');
select ok(not has_function_privilege('authenticated', 'audio.pipeline_health(integer, timestamptz)', 'execute'),
  'nor can a signed-in user');

select * from finish();
rollback;
