-- audio.setting / audio.set_setting: without Vault, settings live in audio.config; set_setting
-- upserts, setting reads, an unknown key is null.
begin;
\ir ../fixtures.psql
select plan(5);

select is(to_regclass('vault.decrypted_secrets'), null, 'precondition: no Vault in this database');

select audio.set_setting('test_only_key', 'first');
select is(audio.setting('test_only_key'), 'first', 'a stored setting is read back');

select audio.set_setting('test_only_key', 'second');
select is(audio.setting('test_only_key'), 'second', 'storing a key again replaces its value');
select is((select count(*)::integer from audio.config where key = 'test_only_key'), 1,
  'one row per key');

select is(audio.setting('no_such_key_anywhere'), null, 'an unknown key is null');

select * from finish();
rollback;
