-- audio.text_hash: hex sha-256 of the NFC-normalised text with leading/trailing spaces removed
-- (SQL btrim, as supabase/functions/_shared/provider/object_path.ts does).
begin;
\ir ../fixtures.psql
select plan(7);

select is(audio.text_hash('abc'),
  'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  'abc hashes to the published sha-256 test vector');

select is(audio.text_hash('The boat rested in the harbor.'),
  encode(sha256(convert_to('The boat rested in the harbor.', 'UTF8')), 'hex'),
  'equals sha-256 of the UTF-8 bytes, lower-case hex');

select is(audio.text_hash(U&'caf\0065\0301'), audio.text_hash(U&'caf\00e9'),
  'decomposed e + combining acute hashes like the composed é');

select is(audio.text_hash(U&'caf\0065\0301'), encode(sha256('\x636166c3a9'::bytea), 'hex'),
  'the hash is of the composed (NFC) UTF-8 bytes');

select is(audio.text_hash('   harbor  '), audio.text_hash('harbor'),
  'leading and trailing spaces are trimmed');

select isnt(audio.text_hash('har bor'), audio.text_hash('harbor'),
  'inner spaces are part of the text');

select isnt(audio.text_hash(E'harbor\t'), audio.text_hash('harbor'),
  'only spaces are trimmed (btrim default), like the TypeScript side');

select * from finish();
rollback;
