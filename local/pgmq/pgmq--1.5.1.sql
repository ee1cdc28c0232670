-- audio-queue stand-in for pgmq 1.5.1 (https://github.com/pgmq/pgmq), the version Supabase ships.
-- Same schema, function names, argument names, defaults, return types, types and tables as the
-- real extension, written from scratch in SQL and PL/pgSQL so it runs where the real one (a Rust
-- extension) is not installed. Only partitioned queues (which need pg_partman) are refused.
-- Installed by scripts/lib/standins.sh; tests/local/pgmq_standin.test.ts pins the interface.

\echo Use "CREATE EXTENSION pgmq" to load this file. \quit

-- ---------------------------------------------------------------------------------------------
-- Catalog of queues, shared types, monitoring grants
-- ---------------------------------------------------------------------------------------------

-- One row per queue; pgmq.list_queues() and pgmq.metrics_all() read it.
create table pgmq.meta (
  queue_name varchar unique not null,
  is_partitioned boolean not null,
  is_unlogged boolean not null,
  created_at timestamp with time zone not null default now()
);

-- pgmq lets the built-in monitoring role read every queue.
grant usage on schema pgmq to pg_monitor;
grant select on all tables in schema pgmq to pg_monitor;
grant select on all sequences in schema pgmq to pg_monitor;
alter default privileges in schema pgmq grant select on tables to pg_monitor;
alter default privileges in schema pgmq grant select on sequences to pg_monitor;

-- A message as read, popped or re-timed: the queue table's columns, in its order.
create type pgmq.message_record as (
  msg_id bigint,
  read_ct integer,
  enqueued_at timestamp with time zone,
  vt timestamp with time zone,
  message jsonb,
  headers jsonb
);

-- A row of pgmq.meta, as pgmq.list_queues() returns it.
create type pgmq.queue_record as (
  queue_name varchar,
  is_partitioned boolean,
  is_unlogged boolean,
  created_at timestamp with time zone
);

-- Counters for one queue. queue_visible_length came last in 1.5.0 (added with ALTER TYPE).
create type pgmq.metrics_result as (
  queue_name text,
  queue_length bigint,
  newest_msg_age_sec integer,
  oldest_msg_age_sec integer,
  total_messages bigint,
  scrape_time timestamp with time zone,
  queue_visible_length bigint
);

-- ---------------------------------------------------------------------------------------------
-- Naming and membership helpers
-- ---------------------------------------------------------------------------------------------

-- Table name for a queue: prefix 'q' (live messages) or 'a' (archive), lower-cased. Queue names go
-- into dynamic SQL, so the characters that could end a literal or a statement are refused.
create function pgmq.format_table_name(queue_name text, prefix text)
returns text
language plpgsql
as $$
begin
  if queue_name ~ '\$|;|--|''' then
    raise exception 'queue name % contains a character pgmq refuses ($, ;, -- or a single quote)',
      quote_literal(queue_name)
      using hint = 'use letters, digits and underscores';
  end if;
  return lower(prefix || '_' || queue_name);
end;
$$;
comment on function pgmq.format_table_name(text, text) is
  'Table name for a queue (prefix q or a); refuses names that could break dynamic SQL.';

-- 47 characters keep the longest derived identifier within Postgres's 63-byte limit.
create function pgmq.validate_queue_name(queue_name text)
returns void
language plpgsql
as $$
begin
  if length(queue_name) >= 48 then
    raise exception 'queue name % is % characters long; pgmq allows at most 47',
      quote_literal(queue_name), length(queue_name)
      using hint = 'choose a shorter queue name';
  end if;
end;
$$;
comment on function pgmq.validate_queue_name(text) is
  'Raises when a queue name is too long for the identifiers derived from it.';

-- True when the relation pgmq.<table_name> is a member object of the pgmq extension.
create function pgmq._belongs_to_pgmq(table_name text)
returns boolean
language sql
as $$
  select exists (
    select 1
    from pg_catalog.pg_depend d
    join pg_catalog.pg_extension e on e.oid = d.refobjid
    join pg_catalog.pg_class c on c.oid = d.objid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
      and d.deptype = 'e'
      and e.extname = 'pgmq'
      and n.nspname = 'pgmq'
      and c.relname = _belongs_to_pgmq.table_name
  );
$$;
comment on function pgmq._belongs_to_pgmq(text) is
  'Whether pgmq.<table_name> is a member of the pgmq extension.';

-- ---------------------------------------------------------------------------------------------
-- pg_partman hooks (partitioned queues are not implemented by the stand-in)
-- ---------------------------------------------------------------------------------------------

create function pgmq._get_pg_partman_schema()
returns text
language sql
as $$
  select e.extnamespace::pg_catalog.regnamespace::text
  from pg_catalog.pg_extension e
  where e.extname = 'pg_partman';
$$;
comment on function pgmq._get_pg_partman_schema() is
  'Schema pg_partman is installed in, or null.';

create function pgmq._ensure_pg_partman_installed()
returns void
language plpgsql
as $$
begin
  if not exists (select 1 from pg_catalog.pg_extension where extname = 'pg_partman') then
    raise exception 'pg_partman is required for partitioned queues'
      using hint = 'create the pg_partman extension, or use pgmq.create() for a plain queue';
  end if;
end;
$$;
comment on function pgmq._ensure_pg_partman_installed() is
  'Raises unless pg_partman is installed.';

create function pgmq._get_pg_partman_major_version()
returns integer
language sql
as $$
  select split_part(e.extversion, '.', 1)::integer
  from pg_catalog.pg_extension e
  where e.extname = 'pg_partman';
$$;
comment on function pgmq._get_pg_partman_major_version() is
  'Major version of pg_partman, or null when it is not installed.';

-- A numeric interval partitions by msg_id, anything else (a time span) by enqueued_at.
create function pgmq._get_partition_col(partition_interval text)
returns text
language plpgsql
as $$
begin
  perform partition_interval::integer;
  return 'msg_id';
exception
  when others then
    return 'enqueued_at';
end;
$$;
comment on function pgmq._get_partition_col(text) is
  'Partition column for an interval: msg_id for a count, enqueued_at for a time span.';

create function pgmq.create_partitioned(
  queue_name text,
  partition_interval text default '10000',
  retention_interval text default '100000'
)
returns void
language plpgsql
as $$
begin
  perform pgmq.validate_queue_name(queue_name);
  perform pgmq._ensure_pg_partman_installed();
  raise exception 'the audio-queue pgmq stand-in does not implement partitioned queues'
    using errcode = 'feature_not_supported',
          hint = 'use pgmq.create(), or install the real pgmq extension';
end;
$$;
comment on function pgmq.create_partitioned(text, text, text) is
  'Partitioned queue (needs pg_partman); refused by the stand-in.';

create function pgmq.convert_archive_partitioned(
  table_name text,
  partition_interval text default '10000',
  retention_interval text default '100000',
  leading_partition integer default 10
)
returns void
language plpgsql
as $$
begin
  perform pgmq._ensure_pg_partman_installed();
  raise exception 'the audio-queue pgmq stand-in does not implement partitioned archives'
    using errcode = 'feature_not_supported',
          hint = 'install the real pgmq extension to partition archive tables';
end;
$$;
comment on function pgmq.convert_archive_partitioned(text, text, text, integer) is
  'Turns an archive into a partitioned table (needs pg_partman); refused by the stand-in.';

-- ---------------------------------------------------------------------------------------------
-- Queue lifecycle
-- ---------------------------------------------------------------------------------------------

-- Queue table q_<name>, archive a_<name>, their indexes and the meta row. Idempotent. The tables
-- and the msg_id sequence become extension members, as in pgmq 1.5, so they follow the extension.
create function pgmq.create_non_partitioned(queue_name text)
returns void
language plpgsql
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
  atable text := pgmq.format_table_name(queue_name, 'a');
begin
  perform pgmq.validate_queue_name(queue_name);
  execute format(
    'create table if not exists pgmq.%I (
       msg_id bigint primary key generated always as identity,
       read_ct integer not null default 0,
       enqueued_at timestamp with time zone not null default now(),
       vt timestamp with time zone not null,
       message jsonb,
       headers jsonb
     )', qtable);
  execute format(
    'create table if not exists pgmq.%I (
       msg_id bigint primary key,
       read_ct integer not null default 0,
       enqueued_at timestamp with time zone not null default now(),
       archived_at timestamp with time zone not null default now(),
       vt timestamp with time zone not null,
       message jsonb,
       headers jsonb
     )', atable);
  if not pgmq._belongs_to_pgmq(qtable) then
    execute format('alter extension pgmq add table pgmq.%I', qtable);
    execute format('alter extension pgmq add sequence %s',
      pg_catalog.pg_get_serial_sequence(format('pgmq.%I', qtable), 'msg_id'));
  end if;
  if not pgmq._belongs_to_pgmq(atable) then
    execute format('alter extension pgmq add table pgmq.%I', atable);
  end if;
  execute format('create index if not exists %I on pgmq.%I (vt asc)', qtable || '_vt_idx', qtable);
  execute format('create index if not exists %I on pgmq.%I (archived_at)',
    'archived_at_idx_' || queue_name, atable);
  insert into pgmq.meta (queue_name, is_partitioned, is_unlogged)
  values (create_non_partitioned.queue_name, false, false)
  on conflict do nothing;
end;
$$;
comment on function pgmq.create_non_partitioned(text) is
  'Creates a plain queue: pgmq.q_<name>, its archive pgmq.a_<name>, indexes and meta row.';

-- As create_non_partitioned, with an unlogged queue table (faster, emptied by a crash).
create function pgmq.create_unlogged(queue_name text)
returns void
language plpgsql
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
  atable text := pgmq.format_table_name(queue_name, 'a');
begin
  perform pgmq.validate_queue_name(queue_name);
  execute format(
    'create unlogged table if not exists pgmq.%I (
       msg_id bigint primary key generated always as identity,
       read_ct integer not null default 0,
       enqueued_at timestamp with time zone not null default now(),
       vt timestamp with time zone not null,
       message jsonb,
       headers jsonb
     )', qtable);
  execute format(
    'create table if not exists pgmq.%I (
       msg_id bigint primary key,
       read_ct integer not null default 0,
       enqueued_at timestamp with time zone not null default now(),
       archived_at timestamp with time zone not null default now(),
       vt timestamp with time zone not null,
       message jsonb,
       headers jsonb
     )', atable);
  if not pgmq._belongs_to_pgmq(qtable) then
    execute format('alter extension pgmq add table pgmq.%I', qtable);
    execute format('alter extension pgmq add sequence %s',
      pg_catalog.pg_get_serial_sequence(format('pgmq.%I', qtable), 'msg_id'));
  end if;
  if not pgmq._belongs_to_pgmq(atable) then
    execute format('alter extension pgmq add table pgmq.%I', atable);
  end if;
  execute format('create index if not exists %I on pgmq.%I (vt asc)', qtable || '_vt_idx', qtable);
  execute format('create index if not exists %I on pgmq.%I (archived_at)',
    'archived_at_idx_' || queue_name, atable);
  insert into pgmq.meta (queue_name, is_partitioned, is_unlogged)
  values (create_unlogged.queue_name, false, true)
  on conflict do nothing;
end;
$$;
comment on function pgmq.create_unlogged(text) is
  'Creates a queue whose message table is unlogged.';

create function pgmq."create"(queue_name text)
returns void
language plpgsql
as $$
begin
  perform pgmq.create_non_partitioned(queue_name);
end;
$$;
comment on function pgmq."create"(text) is
  'Creates a queue (plain, logged). Idempotent.';

-- Drops the queue and archive tables and the meta row. A missing queue raises, as in pgmq 1.5.1.
create function pgmq.drop_queue(queue_name text)
returns boolean
language plpgsql
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
  atable text := pgmq.format_table_name(queue_name, 'a');
  sequence_name text;
begin
  if pg_catalog.to_regclass(format('pgmq.%I', qtable)) is null then
    raise exception 'pgmq queue % does not exist', quote_literal(queue_name)
      using errcode = 'undefined_table', hint = 'pgmq.list_queues() lists the queues';
  end if;
  if pgmq._belongs_to_pgmq(qtable) then
    sequence_name := pg_catalog.pg_get_serial_sequence(format('pgmq.%I', qtable), 'msg_id');
    execute format('alter extension pgmq drop table pgmq.%I', qtable);
    execute format('alter extension pgmq drop sequence %s', sequence_name);
  end if;
  if pgmq._belongs_to_pgmq(atable) then
    execute format('alter extension pgmq drop table pgmq.%I', atable);
  end if;
  execute format('drop table if exists pgmq.%I', qtable);
  execute format('drop table if exists pgmq.%I', atable);
  delete from pgmq.meta m where m.queue_name = drop_queue.queue_name;
  return true;
end;
$$;
comment on function pgmq.drop_queue(text) is
  'Drops a queue with its archive and meta row; raises when the queue does not exist.';

create function pgmq.drop_queue(queue_name text, partitioned boolean)
returns boolean
language plpgsql
as $$
begin
  raise warning 'drop_queue(queue_name, partitioned) is deprecated; call drop_queue(queue_name)';
  return pgmq.drop_queue(queue_name);
end;
$$;
comment on function pgmq.drop_queue(text, boolean) is
  'Deprecated form of drop_queue(queue_name); the flag is ignored.';

-- Deletes every message (not the archive) and returns how many there were. The table lock makes
-- the count exact: no send can slip in between counting and truncating.
create function pgmq.purge_queue(queue_name text)
returns bigint
language plpgsql
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
  purged bigint;
begin
  execute format('lock table pgmq.%I in access exclusive mode', qtable);
  execute format('select count(*) from pgmq.%I', qtable) into purged;
  execute format('truncate table pgmq.%I', qtable);
  return purged;
end;
$$;
comment on function pgmq.purge_queue(text) is
  'Deletes all messages of a queue; returns the number deleted.';

-- Releases the archive table from the extension so dropping the extension keeps it.
create function pgmq.detach_archive(queue_name text)
returns void
language plpgsql
as $$
begin
  execute format('alter extension pgmq drop table pgmq.%I', pgmq.format_table_name(queue_name, 'a'));
end;
$$;
comment on function pgmq.detach_archive(text) is
  'Removes pgmq.a_<name> from the extension so it survives DROP EXTENSION.';

-- ---------------------------------------------------------------------------------------------
-- Sending
-- ---------------------------------------------------------------------------------------------

-- The one insert behind every send overload: message and headers, visible from delay on.
create function pgmq.send(
  queue_name text,
  msg jsonb,
  headers jsonb,
  delay timestamp with time zone
)
returns setof bigint
language plpgsql
as $$
begin
  return query execute format(
    'insert into pgmq.%I (vt, message, headers) values ($1, $2, $3) returning msg_id',
    pgmq.format_table_name(queue_name, 'q'))
  using delay, msg, headers;
end;
$$;
comment on function pgmq.send(text, jsonb, jsonb, timestamp with time zone) is
  'Enqueues one message with headers, visible from the given time; returns its msg_id.';

create function pgmq.send(queue_name text, msg jsonb)
returns setof bigint
language sql
as $$
  select * from pgmq.send(queue_name, msg, null::jsonb, clock_timestamp());
$$;
comment on function pgmq.send(text, jsonb) is
  'Enqueues one message, visible at once; returns its msg_id.';

create function pgmq.send(queue_name text, msg jsonb, headers jsonb)
returns setof bigint
language sql
as $$
  select * from pgmq.send(queue_name, msg, headers, clock_timestamp());
$$;
comment on function pgmq.send(text, jsonb, jsonb) is
  'Enqueues one message with headers, visible at once; returns its msg_id.';

create function pgmq.send(queue_name text, msg jsonb, delay integer)
returns setof bigint
language sql
as $$
  select * from pgmq.send(queue_name, msg, null::jsonb, clock_timestamp() + make_interval(secs => delay));
$$;
comment on function pgmq.send(text, jsonb, integer) is
  'Enqueues one message, visible after delay seconds; returns its msg_id.';

create function pgmq.send(queue_name text, msg jsonb, delay timestamp with time zone)
returns setof bigint
language sql
as $$
  select * from pgmq.send(queue_name, msg, null::jsonb, delay);
$$;
comment on function pgmq.send(text, jsonb, timestamp with time zone) is
  'Enqueues one message, visible from the given time; returns its msg_id.';

create function pgmq.send(queue_name text, msg jsonb, headers jsonb, delay integer)
returns setof bigint
language sql
as $$
  select * from pgmq.send(queue_name, msg, headers, clock_timestamp() + make_interval(secs => delay));
$$;
comment on function pgmq.send(text, jsonb, jsonb, integer) is
  'Enqueues one message with headers, visible after delay seconds; returns its msg_id.';

-- The one insert behind every send_batch overload. Messages are inserted in array order, so the
-- returned msg_ids ascend with it; headers[i] goes with msgs[i] (null when headers is shorter).
create function pgmq.send_batch(
  queue_name text,
  msgs jsonb[],
  headers jsonb[],
  delay timestamp with time zone
)
returns setof bigint
language plpgsql
as $$
begin
  return query execute format(
    'insert into pgmq.%I (vt, message, headers)
     select $1, m.message, $3[m.position]
     from unnest($2) with ordinality as m(message, position)
     order by m.position
     returning msg_id',
    pgmq.format_table_name(queue_name, 'q'))
  using delay, msgs, headers;
end;
$$;
comment on function pgmq.send_batch(text, jsonb[], jsonb[], timestamp with time zone) is
  'Enqueues messages with headers, visible from the given time; returns their msg_ids in order.';

create function pgmq.send_batch(queue_name text, msgs jsonb[])
returns setof bigint
language sql
as $$
  select * from pgmq.send_batch(queue_name, msgs, null::jsonb[], clock_timestamp());
$$;
comment on function pgmq.send_batch(text, jsonb[]) is
  'Enqueues messages, visible at once; returns their msg_ids in order.';

create function pgmq.send_batch(queue_name text, msgs jsonb[], headers jsonb[])
returns setof bigint
language sql
as $$
  select * from pgmq.send_batch(queue_name, msgs, headers, clock_timestamp());
$$;
comment on function pgmq.send_batch(text, jsonb[], jsonb[]) is
  'Enqueues messages with headers, visible at once; returns their msg_ids in order.';

create function pgmq.send_batch(queue_name text, msgs jsonb[], delay integer)
returns setof bigint
language sql
as $$
  select * from pgmq.send_batch(
    queue_name, msgs, null::jsonb[], clock_timestamp() + make_interval(secs => delay));
$$;
comment on function pgmq.send_batch(text, jsonb[], integer) is
  'Enqueues messages, visible after delay seconds; returns their msg_ids in order.';

create function pgmq.send_batch(queue_name text, msgs jsonb[], delay timestamp with time zone)
returns setof bigint
language sql
as $$
  select * from pgmq.send_batch(queue_name, msgs, null::jsonb[], delay);
$$;
comment on function pgmq.send_batch(text, jsonb[], timestamp with time zone) is
  'Enqueues messages, visible from the given time; returns their msg_ids in order.';

create function pgmq.send_batch(queue_name text, msgs jsonb[], headers jsonb[], delay integer)
returns setof bigint
language sql
as $$
  select * from pgmq.send_batch(
    queue_name, msgs, headers, clock_timestamp() + make_interval(secs => delay));
$$;
comment on function pgmq.send_batch(text, jsonb[], jsonb[], integer) is
  'Enqueues messages with headers, visible after delay seconds; returns their msg_ids in order.';

-- ---------------------------------------------------------------------------------------------
-- Reading
-- ---------------------------------------------------------------------------------------------

-- Claims up to qty visible messages (vt <= now), the oldest msg_ids, hides them for vt seconds
-- and counts the read. SKIP LOCKED: concurrent readers never claim the same message. A non-empty
-- conditional keeps only messages whose body contains it (jsonb @>). Like pgmq's own, the rows come
-- back as the UPDATE ... RETURNING yields them, in no promised order (not sorted by msg_id).
create function pgmq.read(
  queue_name text,
  vt integer,
  qty integer,
  conditional jsonb default '{}'
)
returns setof pgmq.message_record
language plpgsql
as $$
begin
  return query execute format(
    'with picked as (
       select msg_id
       from pgmq.%1$I
       where vt <= clock_timestamp()
         and (coalesce($3, ''{}''::jsonb) = ''{}''::jsonb or message @> $3)
       order by msg_id
       limit $1
       for update skip locked
     ),
     claimed as (
       update pgmq.%1$I q
       set vt = clock_timestamp() + make_interval(secs => $2),
           read_ct = q.read_ct + 1
       from picked
       where q.msg_id = picked.msg_id
       returning q.msg_id, q.read_ct, q.enqueued_at, q.vt, q.message, q.headers
     )
     select * from claimed',
    pgmq.format_table_name(queue_name, 'q'))
  using qty, vt, conditional;
end;
$$;
comment on function pgmq.read(text, integer, integer, jsonb) is
  'Claims up to qty visible messages, the oldest, for vt seconds (FOR UPDATE SKIP LOCKED); rows in no promised order.';

-- pgmq.read, retried every poll_interval_ms until a message arrives or max_poll_seconds pass.
create function pgmq.read_with_poll(
  queue_name text,
  vt integer,
  qty integer,
  max_poll_seconds integer default 5,
  poll_interval_ms integer default 100,
  conditional jsonb default '{}'
)
returns setof pgmq.message_record
language plpgsql
as $$
declare
  stop_at timestamp with time zone := clock_timestamp() + make_interval(secs => max_poll_seconds);
begin
  loop
    return query select * from pgmq.read(queue_name, vt, qty, conditional);
    if found or clock_timestamp() >= stop_at then
      return;
    end if;
    perform pg_sleep(greatest(poll_interval_ms, 0)::numeric / 1000);
  end loop;
end;
$$;
comment on function pgmq.read_with_poll(text, integer, integer, integer, integer, jsonb) is
  'pgmq.read that waits up to max_poll_seconds for a message, polling every poll_interval_ms.';

-- Removes and returns the oldest visible message (read and delete in one step).
create function pgmq.pop(queue_name text)
returns setof pgmq.message_record
language plpgsql
as $$
begin
  return query execute format(
    'with picked as (
       select msg_id
       from pgmq.%1$I
       where vt <= clock_timestamp()
       order by msg_id
       limit 1
       for update skip locked
     )
     delete from pgmq.%1$I q
     using picked
     where q.msg_id = picked.msg_id
     returning q.msg_id, q.read_ct, q.enqueued_at, q.vt, q.message, q.headers',
    pgmq.format_table_name(queue_name, 'q'));
end;
$$;
comment on function pgmq.pop(text) is
  'Deletes and returns the oldest visible message.';

-- Makes one message visible again vt seconds from now (0 = at once); returns it, or no row.
create function pgmq.set_vt(queue_name text, msg_id bigint, vt integer)
returns setof pgmq.message_record
language plpgsql
as $$
begin
  return query execute format(
    'update pgmq.%I
     set vt = clock_timestamp() + make_interval(secs => $2)
     where msg_id = $1
     returning msg_id, read_ct, enqueued_at, vt, message, headers',
    pgmq.format_table_name(queue_name, 'q'))
  using msg_id, vt;
end;
$$;
comment on function pgmq.set_vt(text, bigint, integer) is
  'Sets a message''s visibility timeout to now + vt seconds; returns the message.';

-- ---------------------------------------------------------------------------------------------
-- Deleting and archiving
-- ---------------------------------------------------------------------------------------------

create function pgmq.delete(queue_name text, msg_ids bigint[])
returns setof bigint
language plpgsql
as $$
begin
  return query execute format(
    'delete from pgmq.%I where msg_id = any($1) returning msg_id',
    pgmq.format_table_name(queue_name, 'q'))
  using msg_ids;
end;
$$;
comment on function pgmq.delete(text, bigint[]) is
  'Deletes the given messages; returns the msg_ids that existed.';

create function pgmq.delete(queue_name text, msg_id bigint)
returns boolean
language sql
as $$
  select exists (select 1 from pgmq.delete(queue_name, array[msg_id]));
$$;
comment on function pgmq.delete(text, bigint) is
  'Deletes one message; true when it existed.';

-- Moves messages to pgmq.a_<name> (archived_at = now); the archive is the dead-letter store.
create function pgmq.archive(queue_name text, msg_ids bigint[])
returns setof bigint
language plpgsql
as $$
begin
  return query execute format(
    'with moved as (
       delete from pgmq.%I
       where msg_id = any($1)
       returning msg_id, read_ct, enqueued_at, vt, message, headers
     )
     insert into pgmq.%I (msg_id, read_ct, enqueued_at, vt, message, headers)
     select msg_id, read_ct, enqueued_at, vt, message, headers from moved
     returning msg_id',
    pgmq.format_table_name(queue_name, 'q'), pgmq.format_table_name(queue_name, 'a'))
  using msg_ids;
end;
$$;
comment on function pgmq.archive(text, bigint[]) is
  'Moves the given messages to the archive table; returns the msg_ids moved.';

create function pgmq.archive(queue_name text, msg_id bigint)
returns boolean
language sql
as $$
  select exists (select 1 from pgmq.archive(queue_name, array[msg_id]));
$$;
comment on function pgmq.archive(text, bigint) is
  'Moves one message to the archive table; true when it existed.';

-- ---------------------------------------------------------------------------------------------
-- Observing
-- ---------------------------------------------------------------------------------------------

-- total_messages is the msg_id sequence's position: every message ever sent to the queue.
create function pgmq.metrics(queue_name text)
returns pgmq.metrics_result
language plpgsql
as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
  sent_ever bigint;
  result pgmq.metrics_result;
begin
  execute format('select case when is_called then last_value else 0 end from %s',
    pg_catalog.pg_get_serial_sequence(format('pgmq.%I', qtable), 'msg_id'))
  into sent_ever;
  execute format(
    'select $1::text,
            count(*),
            extract(epoch from (now() - max(enqueued_at)))::integer,
            extract(epoch from (now() - min(enqueued_at)))::integer,
            $2::bigint,
            now(),
            count(*) filter (where vt <= now())
     from pgmq.%I', qtable)
  into result
  using queue_name, sent_ever;
  return result;
end;
$$;
comment on function pgmq.metrics(text) is
  'Queue length, visible length, message ages and total ever sent for one queue.';

create function pgmq.metrics_all()
returns setof pgmq.metrics_result
language sql
as $$
  select r.*
  from pgmq.meta m
  cross join lateral pgmq.metrics(m.queue_name) r
  order by m.queue_name;
$$;
comment on function pgmq.metrics_all() is
  'pgmq.metrics() for every queue in pgmq.meta.';

create function pgmq.list_queues()
returns setof pgmq.queue_record
language sql
as $$
  select m.queue_name, m.is_partitioned, m.is_unlogged, m.created_at
  from pgmq.meta m
  order by m.created_at, m.queue_name;
$$;
comment on function pgmq.list_queues() is
  'Every queue with its flags and creation time.';
