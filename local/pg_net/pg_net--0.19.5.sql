-- audio-queue stand-in for pg_net 0.19.5 (https://github.com/supabase/pg_net): the same schema
-- (net), tables, types and function signatures, written from scratch in SQL and PL/pgSQL. The real
-- extension sends requests from a C background worker; here net.http_* only queue them and a
-- trigger notifies channel audio_queue_pg_net, which local/pg_net/dispatcher.ts LISTENs
-- on. tests/local/pg_net_standin.test.ts pins the interface.

\echo Use "CREATE EXTENSION pg_net" to load this file. \quit

-- Objects live in schema net whatever schema the extension is created "with" (Supabase uses
-- extensions), exactly like the real script.
create schema if not exists net;

create domain net.http_method as text
check (value ilike 'get' or value ilike 'post' or value ilike 'delete');

-- Requests waiting to be sent. The dispatcher deletes each row as it takes it, like pg_net's worker.
create unlogged table net.http_request_queue (
  id bigserial,
  method net.http_method not null,
  url text not null,
  headers jsonb,
  body bytea,
  timeout_milliseconds integer not null
);

-- One row per finished request: a response (status_code, headers, content) or a failure
-- (timed_out, error_msg). The dispatcher deletes rows older than its TTL, as pg_net.ttl does.
create unlogged table net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out boolean,
  error_msg text,
  created timestamp with time zone not null default now()
);

create index on net._http_response (created);

create type net.request_status as enum ('PENDING', 'SUCCESS', 'ERROR');

create type net.http_response as (
  status_code integer,
  headers jsonb,
  body text
);

create type net.http_response_result as (
  status net.request_status,
  message text,
  response net.http_response
);

-- ---------------------------------------------------------------------------------------------
-- Dispatcher plumbing (stand-ins for pg_net's C functions)
-- ---------------------------------------------------------------------------------------------

-- Stand-in only: wakes the dispatcher for every queued request (NOTIFY is delivered on commit,
-- which is also when pg_net's worker first sees a request).
create function net._standin_notify_dispatcher()
returns trigger
language plpgsql
as $$
begin
  perform pg_catalog.pg_notify('audio_queue_pg_net', new.id::text);
  return new;
end;
$$;
comment on function net._standin_notify_dispatcher() is
  'audio-queue stand-in: NOTIFY audio_queue_pg_net with the id of each queued request.';

create trigger notify_dispatcher
after insert on net.http_request_queue
for each row
execute function net._standin_notify_dispatcher();

-- The dispatcher connects with this application_name; these functions look for it.
create function net.check_worker_is_up()
returns void
language plpgsql
as $$
begin
  if not exists (
    select 1
    from pg_catalog.pg_stat_activity
    where application_name = 'pg_net stand-in dispatcher'
      and datname = current_database()
  ) then
    raise exception 'the pg_net background worker is not up'
      using detail = 'the audio-queue pg_net stand-in sends requests from a separate dispatcher process',
            hint = 'start it: SUPABASE_DB_URL=... deno run --allow-all local/pg_net/main.ts';
  end if;
end;
$$;
comment on function net.check_worker_is_up() is
  'Raises unless the pg_net stand-in dispatcher is connected to this database.';

create function net.wake()
returns void
language sql
as $$
  select pg_catalog.pg_notify('audio_queue_pg_net', 'wake');
$$;
comment on function net.wake() is
  'Asks the dispatcher to look at the request queue now.';

create function net.worker_restart()
returns boolean
language plpgsql
as $$
begin
  perform pg_catalog.pg_notify('audio_queue_pg_net', 'restart');
  return exists (
    select 1
    from pg_catalog.pg_stat_activity
    where application_name = 'pg_net stand-in dispatcher'
      and datname = current_database()
  );
end;
$$;
comment on function net.worker_restart() is
  'Wakes the dispatcher; true when one is connected (the stand-in has no worker to restart).';

-- Bounded: 30 s is far longer than a dispatcher takes to connect, short enough to surface a
-- dispatcher that was never started.
create function net.wait_until_running()
returns void
language plpgsql
as $$
declare
  give_up_at timestamp with time zone := clock_timestamp() + interval '30 seconds';
begin
  loop
    begin
      perform net.check_worker_is_up();
      return;
    exception
      when raise_exception then
        if clock_timestamp() >= give_up_at then
          raise;
        end if;
    end;
    perform pg_sleep(0.05);
  end loop;
end;
$$;
comment on function net.wait_until_running() is 'waits until the worker is running';

-- Blocks until the response row for request_id exists. Bounded at 5 minutes (well above any
-- request timeout) so a missing dispatcher fails with a message instead of hanging.
create function net._await_response(request_id bigint)
returns boolean
language plpgsql
as $$
declare
  give_up_at timestamp with time zone := clock_timestamp() + interval '5 minutes';
begin
  loop
    if exists (select 1 from net._http_response r where r.id = _await_response.request_id) then
      return true;
    end if;
    if clock_timestamp() >= give_up_at then
      raise exception 'no response for pg_net request % after 5 minutes', request_id
        using hint = 'is the pg_net stand-in dispatcher running (local/pg_net/main.ts)?';
    end if;
    perform pg_sleep(0.05);
  end loop;
end;
$$;
comment on function net._await_response(bigint) is
  'Waits until the response for request_id has been recorded.';

-- Percent-encodes every byte of the UTF-8 form except RFC 3986 unreserved characters, as libcurl's
-- curl_easy_escape does.
create function net._urlencode_string(string varchar)
returns text
language plpgsql
immutable
as $$
declare
  bytes bytea := convert_to(string, 'UTF8');
  encoded text := '';
  b integer;
begin
  if string is null then
    return null;
  end if;
  for i in 0 .. length(bytes) - 1 loop
    b := get_byte(bytes, i);
    if b between 48 and 57 or b between 65 and 90 or b between 97 and 122 or b in (45, 46, 95, 126) then
      encoded := encoded || chr(b);
    else
      encoded := encoded || '%' || upper(lpad(to_hex(b), 2, '0'));
    end if;
  end loop;
  return encoded;
end;
$$;
comment on function net._urlencode_string(varchar) is
  'URL-encodes a string (unreserved characters kept, every other byte as %XX).';

-- Appends already-encoded key=value pairs to url's query string.
create function net._encode_url_with_params_array(url text, params_array text[])
returns text
language sql
immutable
as $$
  select case
    when coalesce(cardinality(params_array), 0) = 0 then url
    when url ~ '[?&]$' then url || array_to_string(params_array, '&')
    when strpos(url, '?') > 0 then url || '&' || array_to_string(params_array, '&')
    else url || '?' || array_to_string(params_array, '&')
  end;
$$;
comment on function net._encode_url_with_params_array(text, text[]) is
  'Appends encoded query parameters to a URL.';

-- ---------------------------------------------------------------------------------------------
-- Public API: queue a request, collect a response
-- ---------------------------------------------------------------------------------------------

create function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds integer default 5000
)
returns bigint
language plpgsql
as $$
declare
  query_params text[];
  request_id bigint;
begin
  select coalesce(array_agg(net._urlencode_string(p.key) || '=' || net._urlencode_string(p.value)), '{}')
  into query_params
  from jsonb_each_text(params) p;

  insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
  values ('GET', net._encode_url_with_params_array(url, query_params), headers, timeout_milliseconds)
  returning id into request_id;
  return request_id;
end;
$$;
comment on function net.http_get(text, jsonb, jsonb, integer) is
  'Queues an HTTP GET; returns the request id. Sent after the transaction commits.';

-- The body is sent as JSON; a Content-Type other than application/json is refused, and one is
-- added when the headers have none.
create function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds integer default 5000
)
returns bigint
language plpgsql
as $$
declare
  content_type text;
  query_params text[];
  request_id bigint;
begin
  select h.value
  into content_type
  from jsonb_each_text(coalesce(headers, '{}'::jsonb)) h
  where lower(h.key) = 'content-type'
  limit 1;

  if content_type is null then
    headers := coalesce(headers, '{}'::jsonb) || '{"Content-Type": "application/json"}'::jsonb;
  elsif content_type <> 'application/json' then
    raise exception 'Content-Type header must be "application/json"'
      using detail = format('got %s', quote_literal(content_type));
  end if;

  select coalesce(array_agg(net._urlencode_string(p.key) || '=' || net._urlencode_string(p.value)), '{}')
  into query_params
  from jsonb_each_text(params) p;

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values (
    'POST',
    net._encode_url_with_params_array(url, query_params),
    headers,
    convert_to(body::text, 'UTF8'),
    timeout_milliseconds
  )
  returning id into request_id;
  return request_id;
end;
$$;
comment on function net.http_post(text, jsonb, jsonb, jsonb, integer) is
  'Queues an HTTP POST with a JSON body; returns the request id. Sent after the transaction commits.';

create function net.http_delete(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds integer default 5000,
  body jsonb default null
)
returns bigint
language plpgsql
as $$
declare
  query_params text[];
  request_id bigint;
begin
  select coalesce(array_agg(net._urlencode_string(p.key) || '=' || net._urlencode_string(p.value)), '{}')
  into query_params
  from jsonb_each_text(params) p;

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values (
    'DELETE',
    net._encode_url_with_params_array(url, query_params),
    headers,
    convert_to(body::text, 'UTF8'),
    timeout_milliseconds
  )
  returning id into request_id;
  return request_id;
end;
$$;
comment on function net.http_delete(text, jsonb, jsonb, integer, jsonb) is
  'Queues an HTTP DELETE (optional JSON body); returns the request id.';

create function net._http_collect_response(request_id bigint, async boolean default true)
returns net.http_response_result
language plpgsql
as $$
declare
  rec net._http_response;
begin
  if not async then
    perform net._await_response(request_id);
  end if;

  select * into rec from net._http_response r where r.id = _http_collect_response.request_id;

  if rec.id is null or rec.error_msg is not null then
    return (
      'ERROR',
      coalesce(rec.error_msg, 'request matching request_id not found'),
      null
    )::net.http_response_result;
  end if;
  return (
    'SUCCESS',
    'ok',
    (rec.status_code, rec.headers, rec.content)::net.http_response
  )::net.http_response_result;
end;
$$;
comment on function net._http_collect_response(bigint, boolean) is
  'The recorded response for a request, wrapped with a status (ERROR while none is recorded).';

create function net.http_collect_response(request_id bigint, async boolean default true)
returns net.http_response_result
language plpgsql
as $$
begin
  raise notice 'The net.http_collect_response function is deprecated.';
  return net._http_collect_response(request_id, async);
end;
$$;
comment on function net.http_collect_response(bigint, boolean) is
  'Deprecated alias of net._http_collect_response.';

grant usage on schema net to public;
grant all on all sequences in schema net to public;
grant all on all tables in schema net to public;
