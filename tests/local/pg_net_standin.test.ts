// The pg_net stand-in (local/pg_net) against a real Postgres: net.http_* keep pg_net
// 0.19.5's interface and only queue; the dispatcher sends queued requests to a local Deno.serve and
// records responses, timeouts and refusals in net._http_response as pg_net's worker does. Needs
// AQ_TEST_DB_URL and the stand-in installed (scripts/lib/standins.sh install_standin_extensions).

import assert from "node:assert/strict";
import {
  sql,
  standinInstalled,
  type TestSql,
  withTempDatabase,
  withTestDatabase,
} from "../helpers/pg.ts";

// With the real pg_net installed these tests of the stand-in are reported as ignored.
const ignore = !(await standinInstalled("pg_net"));
import { type NetDispatcher, startNetDispatcher } from "../../local/pg_net/dispatcher.ts";
import { isLoopbackHost } from "../../local/pg_net/host_policy.ts";
import type { FetchLike } from "../../local/pg_net/types.ts";

/** Upper bound for a response row to appear; the dispatcher normally takes milliseconds. */
const RESPONSE_WAIT_LIMIT_MS = 15_000;

interface SeenRequest {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

interface ResponseRow {
  id: string;
  status_code: number | null;
  content_type: string | null;
  headers: Record<string, string> | null;
  content: string | null;
  timed_out: boolean | null;
  error_msg: string | null;
}

interface TestServer {
  origin: string;
  seen: SeenRequest[];
}

interface NetContext {
  db: TestSql;
  url: string;
  server: TestServer;
}

/** pg_net's message for a curl timeout of `ms` (src/errors.c), its times printed as C's %f. */
function timeoutMessagePattern(ms: number): RegExp {
  const t = String.raw`\d+\.\d{6} ms`;
  return new RegExp(
    String.raw`^Timeout of ${ms} ms reached\. Total time: ${t} \(DNS time: ${t}, ` +
      String.raw`TCP/SSL handshake time: ${t}, HTTP Request/Response time: ${t}\)$`,
  );
}

// A local HTTP server: /slow answers only once the test ends; /moved redirects off the machine;
// anything else answers 201 with a JSON echo of the path. `migrated`: the database is a clone of
// the template (the migrations applied), not an empty one.
async function withNet(
  fn: (ctx: NetContext) => Promise<void>,
  opts: { migrated?: boolean } = {},
): Promise<void> {
  await (opts.migrated ? withTestDatabase : withTempDatabase)(async (url) => {
    const db = sql(url);
    const seen: SeenRequest[] = [];
    const release = Promise.withResolvers<void>();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      async (req) => {
        const path = new URL(req.url).pathname + new URL(req.url).search;
        seen.push({ method: req.method, path, headers: req.headers, body: await req.text() });
        if (path.startsWith("/slow")) {
          await release.promise;
          return new Response("too late");
        }
        if (path.startsWith("/moved")) {
          return new Response(null, { status: 302, headers: { location: "http://example.com/" } });
        }
        return Response.json({ path }, { status: 201, headers: { "x-reply": "yes" } });
      },
    );
    try {
      await db`create schema if not exists extensions`;
      await db`create extension if not exists pg_net with schema extensions`;
      await fn({ db, url, server: { origin: `http://127.0.0.1:${server.addr.port}`, seen } });
    } finally {
      release.resolve();
      await server.shutdown();
      await db.end();
    }
  });
}

async function waitForResponse(db: TestSql, id: string): Promise<ResponseRow> {
  const giveUpAt = Date.now() + RESPONSE_WAIT_LIMIT_MS;
  while (Date.now() < giveUpAt) {
    const [row] = await db<ResponseRow[]>`
      select id::text as id, status_code, content_type, headers, content, timed_out, error_msg
      from net._http_response where id = ${id}::bigint
    `;
    if (row) return row;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(
    `no net._http_response row for request ${id} within ${RESPONSE_WAIT_LIMIT_MS} ms`,
  );
}

async function withDispatcher(
  url: string,
  options: { pollIntervalMs?: number; fetch?: FetchLike },
  fn: (dispatcher: NetDispatcher) => Promise<void>,
): Promise<void> {
  const dispatcher = await startNetDispatcher({ dbUrl: url, ...options, onError: () => {} });
  try {
    await fn(dispatcher);
  } finally {
    await dispatcher.stop();
  }
}

// pg_net 0.19.5's functions (sql/pg_net.sql and upgrade scripts), plus the stand-in's trigger.
const PG_NET_0_19_5_FUNCTIONS: ReadonlyArray<readonly [string, string, string]> = [
  ["_await_response", "request_id bigint", "boolean"],
  ["_encode_url_with_params_array", "url text, params_array text[]", "text"],
  [
    "_http_collect_response",
    "request_id bigint, async boolean DEFAULT true",
    "net.http_response_result",
  ],
  ["_standin_notify_dispatcher", "", "trigger"], // stand-in only: wakes the dispatcher
  ["_urlencode_string", "string character varying", "text"],
  ["check_worker_is_up", "", "void"],
  [
    "http_collect_response",
    "request_id bigint, async boolean DEFAULT true",
    "net.http_response_result",
  ],
  [
    "http_delete",
    "url text, params jsonb DEFAULT '{}'::jsonb, headers jsonb DEFAULT '{}'::jsonb, " +
    "timeout_milliseconds integer DEFAULT 5000, body jsonb DEFAULT NULL::jsonb",
    "bigint",
  ],
  [
    "http_get",
    "url text, params jsonb DEFAULT '{}'::jsonb, headers jsonb DEFAULT '{}'::jsonb, " +
    "timeout_milliseconds integer DEFAULT 5000",
    "bigint",
  ],
  [
    "http_post",
    "url text, body jsonb DEFAULT '{}'::jsonb, params jsonb DEFAULT '{}'::jsonb, " +
    `headers jsonb DEFAULT '{"Content-Type": "application/json"}'::jsonb, ` +
    "timeout_milliseconds integer DEFAULT 5000",
    "bigint",
  ],
  ["wait_until_running", "", "void"],
  ["wake", "", "void"],
  ["worker_restart", "", "boolean"],
];

Deno.test({
  name: "pg_net stand-in: Supabase's install statement works and the interface is 0.19.5's",
  ignore,
}, async () => {
  await withNet(async ({ db }) => {
    const [ext] = await db`
      select e.extversion, n.nspname as schema, obj_description(e.oid, 'pg_extension') as comment
      from pg_extension e join pg_namespace n on n.oid = e.extnamespace
      where e.extname = 'pg_net'
    `;
    assert.equal(ext.extversion, "0.19.5");
    assert.equal(ext.schema, "extensions");
    assert.match(ext.comment, /^audio-queue stand-in for pg_net/);

    const rows = await db<{ name: string; args: string; result: string }[]>`
      select p.proname as name, pg_get_function_arguments(p.oid) as args,
             pg_get_function_result(p.oid) as result
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'net'
    `;
    assert.deepEqual(
      rows.map((r) => `${r.name}(${r.args}) -> ${r.result}`).sort(),
      PG_NET_0_19_5_FUNCTIONS.map(([n, a, r]) => `${n}(${a}) -> ${r}`).sort(),
    );
    const columns = await db<{ t: string; c: string }[]>`
      select table_name as t, string_agg(column_name || ' ' || data_type, ', '
                                         order by ordinal_position) as c
      from information_schema.columns where table_schema = 'net'
      group by table_name order by table_name
    `;
    assert.deepEqual(columns.map((r) => [r.t, r.c]), [
      [
        "_http_response",
        "id bigint, status_code integer, content_type text, headers jsonb, content text, " +
        "timed_out boolean, error_msg text, created timestamp with time zone",
      ],
      [
        "http_request_queue",
        "id bigint, method text, url text, headers jsonb, body bytea, timeout_milliseconds integer",
      ],
    ]);
  });
});

Deno.test({
  name: "pg_net stand-in: http_post queues; the dispatcher delivers it and records the response",
  ignore,
}, async () => {
  await withNet(async ({ db, url, server }) => {
    const [{ id }] = await db<{ id: string }[]>`
      select net.http_post(
        url => ${server.origin + "/hook"},
        body => '{"segment_id": 7}'::jsonb,
        params => '{"src": "cron job"}'::jsonb,
        headers => '{"Authorization": "Bearer worker-secret"}'::jsonb
      )::text as id
    `;
    const [queued] = await db`
      select method::text, url, headers, convert_from(body, 'UTF8') as body
      from net.http_request_queue where id = ${id}::bigint
    `;
    assert.deepEqual({ ...queued }, {
      method: "POST",
      url: `${server.origin}/hook?src=cron%20job`,
      headers: { "Authorization": "Bearer worker-secret", "Content-Type": "application/json" },
      body: '{"segment_id": 7}',
    });
    assert.equal(server.seen.length, 0, "queuing alone sends nothing");

    await withDispatcher(url, {}, async (dispatcher) => {
      const row = await waitForResponse(db, id);
      assert.equal(server.seen.length, 1);
      const [req] = server.seen;
      assert.equal(req.method, "POST");
      assert.equal(req.path, "/hook?src=cron%20job");
      assert.equal(req.headers.get("authorization"), "Bearer worker-secret");
      assert.equal(req.headers.get("content-type"), "application/json");
      assert.match(req.headers.get("user-agent") ?? "", /^pg_net\//);
      assert.deepEqual(JSON.parse(req.body), { segment_id: 7 });

      assert.equal(row.status_code, 201);
      assert.equal(row.content_type, "application/json");
      assert.equal(row.headers?.["x-reply"], "yes");
      assert.deepEqual(JSON.parse(row.content ?? ""), { path: "/hook?src=cron%20job" });
      assert.equal(row.timed_out, false);
      assert.equal(row.error_msg, null);
      assert.deepEqual(dispatcher.stats(), { sent: 1, failed: 0 });

      const [{ left }] = await db`select count(*)::int as left from net.http_request_queue`;
      assert.equal(left, 0, "the request left the queue");
      const [collected] = await db`
        select (r).status::text as status, ((r).response).status_code as code
        from net._http_collect_response(${id}::bigint) r
      `;
      assert.deepEqual({ ...collected }, { status: "SUCCESS", code: 201 });
    });
  });
});

Deno.test({
  name: "pg_net stand-in: NOTIFY wakes the dispatcher without waiting for a poll",
  ignore,
}, async () => {
  await withNet(async ({ db, url, server }) => {
    // A poll interval of an hour: only the trigger's NOTIFY can explain a prompt delivery.
    await withDispatcher(url, { pollIntervalMs: 3_600_000 }, async (dispatcher) => {
      const [{ warmup }] = await db`select net.http_get(${server.origin + "/one"})::text as warmup`;
      await waitForResponse(db, warmup);
      const [{ id }] = await db`select net.http_get(${server.origin + "/two"})::text as id`;
      const row = await waitForResponse(db, id);
      assert.equal(row.status_code, 201);
      assert.deepEqual(server.seen.map((r) => `${r.method} ${r.path}`), ["GET /one", "GET /two"]);
      assert.deepEqual(dispatcher.stats(), { sent: 2, failed: 0 });
      await db`select net.check_worker_is_up()`;
      const [{ restarted }] = await db`select net.worker_restart() as restarted`;
      assert.equal(restarted, true, "the dispatcher's connection is visible to the database");
    });
  });
});

Deno.test(
  {
    name: "pg_net stand-in: a request past its timeout is recorded as 0.19.5 records it: " +
      "timed_out null, pg_net's timeout message",
    ignore,
  },
  async () => {
    await withNet(async ({ db, url, server }) => {
      await withDispatcher(url, {}, async (dispatcher) => {
        const [{ id }] = await db`
        select net.http_get(${server.origin + "/slow"}, timeout_milliseconds => 300)::text as id
      `;
        const row = await waitForResponse(db, id);
        assert.equal(row.timed_out, null, "pg_net 0.19.5 never sets timed_out");
        assert.equal(row.status_code, null);
        assert.match(row.error_msg ?? "", timeoutMessagePattern(300));
        assert.equal(server.seen.length, 1, "the request was sent");
        assert.deepEqual(dispatcher.stats(), { sent: 0, failed: 1 });
      });
    });
  },
);

Deno.test(
  {
    name: "pg_net stand-in: a kick that timed out, recorded as 0.19.5 records it, is what " +
      "audio.health reports as a timeout",
    ignore,
  },
  async () => {
    await withNet(async ({ db, url, server }) => {
      await withDispatcher(url, {}, async () => {
        const [{ id }] = await db`
        select net.http_post(${server.origin + "/slow"}, timeout_milliseconds => 300)::text as id
      `;
        // A kick's request, as audio.kick_worker records it (health reads only those).
        await db`insert into audio.kick_requests (id, reason) values (${id}::bigint, 'cron')`;
        const row = await waitForResponse(db, id);
        assert.equal(row.timed_out, null);
        const [{ health }] = await db`select audio.health() as health`;
        assert.deepEqual(health.problems, [
          "the watchdog's last kick timed out: process-segments did not answer at the " +
          "project_url setting",
        ]);
        assert.deepEqual(
          health.kicks.map((k: { id: number; timed_out: boolean }) => [String(k.id), k.timed_out]),
          [[id, true]],
        );
      });
    }, { migrated: true });
  },
);

Deno.test(
  { name: "pg_net stand-in: non-loopback hosts are refused without any request", ignore },
  async () => {
    await withNet(async ({ db, url, server }) => {
      const fetched: string[] = [];
      const spy: FetchLike = (input, init) => {
        fetched.push(input.hostname);
        return fetch(input, init);
      };
      await withDispatcher(url, { fetch: spy }, async (dispatcher) => {
        const [{ away }] = await db`
        select net.http_post('http://example.com/hook', '{"x": 1}'::jsonb)::text as away
      `;
        const [{ lan }] = await db`select net.http_get('http://10.1.2.3/')::text as lan`;
        const [{ moved }] = await db`select net.http_get(${
          server.origin + "/moved"
        })::text as moved`;
        for (
          const [id, host] of [[away, "example.com"], [lan, "10.1.2.3"], [moved, "example.com"]]
        ) {
          const row = await waitForResponse(db, id);
          assert.equal(row.status_code, null);
          assert.equal(row.timed_out, null, "a failure's row holds only its id and error_msg");
          assert.match(row.error_msg ?? "", new RegExp(`refused .* host "${host}"`));
        }
        assert.deepEqual(fetched, ["127.0.0.1"], "only the loopback hop before the redirect");
        assert.deepEqual(server.seen.map((r) => r.path), ["/moved"]);
        assert.deepEqual(dispatcher.stats(), { sent: 0, failed: 3 });
      });
    });
  },
);

Deno.test(
  { name: "pg_net stand-in: two dispatchers never send the same request twice", ignore },
  async () => {
    await withNet(async ({ db, url, server }) => {
      const ids = (await db<{ id: string }[]>`
      select net.http_get(${server.origin} || '/n/' || g)::text as id from generate_series(1, 30) g
    `).map((r) => r.id);
      const first = await startNetDispatcher({ dbUrl: url, onError: () => {} });
      const second = await startNetDispatcher({ dbUrl: url, onError: () => {} });
      try {
        for (const id of ids) await waitForResponse(db, id);
        const paths = server.seen.map((r) => r.path);
        assert.equal(paths.length, 30);
        assert.equal(new Set(paths).size, 30, "each request sent exactly once");
        const total = [first.stats(), second.stats()].reduce((sum, s) => sum + s.sent, 0);
        assert.equal(total, 30);
      } finally {
        await Promise.all([first.stop(), second.stop()]);
      }
    });
  },
);

Deno.test({ name: "pg_net stand-in: loopback host policy", ignore }, () => {
  for (const host of ["localhost", "127.0.0.1", "127.10.20.30", "[::1]", "::1", "LOCALHOST"]) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  for (const host of ["example.com", "10.0.0.1", "128.0.0.1", "127.0.0", "127.0.0.256", "[::2]"]) {
    assert.equal(isLoopbackHost(host), false, host);
  }
});
