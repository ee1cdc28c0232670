// The pgmq stand-in (local/pgmq) against a real Postgres: its interface must be pgmq
// 1.5.1's, so the migrations and worker calls run unchanged on Supabase, and its queue semantics
// (visibility timeout, SKIP LOCKED claims, archive) must hold. Needs AQ_TEST_DB_URL and the stand-in
// installed in that cluster (scripts/lib/standins.sh install_standin_extensions).

import assert from "node:assert/strict";
import postgres from "postgres";
import { sql, standinInstalled, type TestSql, withTempDatabase } from "../helpers/pg.ts";

// With the real pgmq installed these tests of the stand-in are reported as ignored.
const ignore = !(await standinInstalled("pgmq"));

/** Bound for waiting on a visibility timeout of 1 s to pass: generous for a loaded machine. */
const VT_WAIT_LIMIT_MS = 15_000;

async function withPgmq(fn: (db: TestSql, url: string) => Promise<void>): Promise<void> {
  await withTempDatabase(async (url) => {
    const db = sql(url);
    try {
      await db`create extension if not exists pgmq`;
      await fn(db, url);
    } finally {
      await db.end();
    }
  });
}

interface Message {
  msg_id: string;
  read_ct: number;
  vt: Date;
  message: Record<string, unknown>;
  headers: Record<string, unknown> | null;
}

// pgmq 1.5.1's functions (pgmq-extension/sql upgrade scripts 1.4.4 -> 1.5.0 -> 1.5.1): name,
// arguments as pg_get_function_arguments prints them, result type.
const PGMQ_1_5_1_FUNCTIONS: ReadonlyArray<readonly [string, string, string]> = [
  ["_belongs_to_pgmq", "table_name text", "boolean"],
  ["_ensure_pg_partman_installed", "", "void"],
  ["_get_partition_col", "partition_interval text", "text"],
  ["_get_pg_partman_major_version", "", "integer"],
  ["_get_pg_partman_schema", "", "text"],
  ["archive", "queue_name text, msg_id bigint", "boolean"],
  ["archive", "queue_name text, msg_ids bigint[]", "SETOF bigint"],
  [
    "convert_archive_partitioned",
    "table_name text, partition_interval text DEFAULT '10000'::text, " +
    "retention_interval text DEFAULT '100000'::text, leading_partition integer DEFAULT 10",
    "void",
  ],
  ["create", "queue_name text", "void"],
  ["create_non_partitioned", "queue_name text", "void"],
  [
    "create_partitioned",
    "queue_name text, partition_interval text DEFAULT '10000'::text, " +
    "retention_interval text DEFAULT '100000'::text",
    "void",
  ],
  ["create_unlogged", "queue_name text", "void"],
  ["delete", "queue_name text, msg_id bigint", "boolean"],
  ["delete", "queue_name text, msg_ids bigint[]", "SETOF bigint"],
  ["detach_archive", "queue_name text", "void"],
  ["drop_queue", "queue_name text", "boolean"],
  ["drop_queue", "queue_name text, partitioned boolean", "boolean"],
  ["format_table_name", "queue_name text, prefix text", "text"],
  ["list_queues", "", "SETOF pgmq.queue_record"],
  ["metrics", "queue_name text", "pgmq.metrics_result"],
  ["metrics_all", "", "SETOF pgmq.metrics_result"],
  ["pop", "queue_name text", "SETOF pgmq.message_record"],
  ["purge_queue", "queue_name text", "bigint"],
  [
    "read",
    "queue_name text, vt integer, qty integer, conditional jsonb DEFAULT '{}'::jsonb",
    "SETOF pgmq.message_record",
  ],
  [
    "read_with_poll",
    "queue_name text, vt integer, qty integer, max_poll_seconds integer DEFAULT 5, " +
    "poll_interval_ms integer DEFAULT 100, conditional jsonb DEFAULT '{}'::jsonb",
    "SETOF pgmq.message_record",
  ],
  ["send", "queue_name text, msg jsonb", "SETOF bigint"],
  ["send", "queue_name text, msg jsonb, delay integer", "SETOF bigint"],
  ["send", "queue_name text, msg jsonb, delay timestamp with time zone", "SETOF bigint"],
  ["send", "queue_name text, msg jsonb, headers jsonb", "SETOF bigint"],
  ["send", "queue_name text, msg jsonb, headers jsonb, delay integer", "SETOF bigint"],
  [
    "send",
    "queue_name text, msg jsonb, headers jsonb, delay timestamp with time zone",
    "SETOF bigint",
  ],
  ["send_batch", "queue_name text, msgs jsonb[]", "SETOF bigint"],
  ["send_batch", "queue_name text, msgs jsonb[], delay integer", "SETOF bigint"],
  ["send_batch", "queue_name text, msgs jsonb[], delay timestamp with time zone", "SETOF bigint"],
  ["send_batch", "queue_name text, msgs jsonb[], headers jsonb[]", "SETOF bigint"],
  ["send_batch", "queue_name text, msgs jsonb[], headers jsonb[], delay integer", "SETOF bigint"],
  [
    "send_batch",
    "queue_name text, msgs jsonb[], headers jsonb[], delay timestamp with time zone",
    "SETOF bigint",
  ],
  ["set_vt", "queue_name text, msg_id bigint, vt integer", "SETOF pgmq.message_record"],
  ["validate_queue_name", "queue_name text", "void"],
];

Deno.test({
  name: "pgmq stand-in: installs as pgmq 1.5.1 in schema pgmq, marked as the stand-in",
  ignore,
}, async () => {
  await withPgmq(async (db) => {
    const [ext] = await db<
      { version: string; relocatable: boolean; schema: string; comment: string }[]
    >`
      select e.extversion as version, e.extrelocatable as relocatable, n.nspname as schema,
             obj_description(e.oid, 'pg_extension') as comment
      from pg_extension e join pg_namespace n on n.oid = e.extnamespace
      where e.extname = 'pgmq'
    `;
    assert.deepEqual(
      { version: ext.version, relocatable: ext.relocatable, schema: ext.schema },
      { version: "1.5.1", relocatable: false, schema: "pgmq" },
    );
    assert.match(ext.comment, /^audio-queue stand-in for pgmq 1\.5\.1/);
  });
});

Deno.test(
  { name: "pgmq stand-in: every function signature matches pgmq 1.5.1", ignore },
  async () => {
    await withPgmq(async (db) => {
      const rows = await db<{ name: string; args: string; result: string }[]>`
      select p.proname as name, pg_get_function_arguments(p.oid) as args,
             pg_get_function_result(p.oid) as result
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'pgmq'
    `;
      const actual = rows.map((r) => `${r.name}(${r.args}) -> ${r.result}`).sort();
      const expected = PGMQ_1_5_1_FUNCTIONS.map(([name, args, result]) =>
        `${name}(${args}) -> ${result}`
      ).sort();
      assert.deepEqual(actual, expected);
    });
  },
);

Deno.test({
  name: "pgmq stand-in: queue, archive, meta tables and types have pgmq 1.5's columns",
  ignore,
}, async () => {
  await withPgmq(async (db) => {
    await db`select pgmq.create('shape')`;
    const columns = async (table: string) =>
      (await db<{ c: string }[]>`
        select column_name || ' ' || data_type || ' ' || is_nullable as c
        from information_schema.columns
        where table_schema = 'pgmq' and table_name = ${table}
        order by ordinal_position
      `).map((r) => r.c);
    const attributes = async (type: string) =>
      (await db<{ a: string }[]>`
        select a.attname || ' ' || format_type(a.atttypid, a.atttypmod) as a
        from pg_attribute a
        where a.attrelid = (select typrelid from pg_type t join pg_namespace n
                            on n.oid = t.typnamespace where n.nspname = 'pgmq'
                            and t.typname = ${type})
          and a.attnum > 0
        order by a.attnum
      `).map((r) => r.a);
    const tstz = "timestamp with time zone";
    assert.deepEqual(await columns("q_shape"), [
      "msg_id bigint NO",
      "read_ct integer NO",
      `enqueued_at ${tstz} NO`,
      `vt ${tstz} NO`,
      "message jsonb YES",
      "headers jsonb YES",
    ]);
    assert.deepEqual(await columns("a_shape"), [
      "msg_id bigint NO",
      "read_ct integer NO",
      `enqueued_at ${tstz} NO`,
      `archived_at ${tstz} NO`,
      `vt ${tstz} NO`,
      "message jsonb YES",
      "headers jsonb YES",
    ]);
    assert.deepEqual(await columns("meta"), [
      "queue_name character varying NO",
      "is_partitioned boolean NO",
      "is_unlogged boolean NO",
      `created_at ${tstz} NO`,
    ]);
    assert.deepEqual(await attributes("message_record"), [
      "msg_id bigint",
      "read_ct integer",
      `enqueued_at ${tstz}`,
      `vt ${tstz}`,
      "message jsonb",
      "headers jsonb",
    ]);
    assert.deepEqual(await attributes("metrics_result"), [
      "queue_name text",
      "queue_length bigint",
      "newest_msg_age_sec integer",
      "oldest_msg_age_sec integer",
      "total_messages bigint",
      `scrape_time ${tstz}`,
      "queue_visible_length bigint",
    ]);
    assert.deepEqual(await attributes("queue_record"), [
      "queue_name character varying",
      "is_partitioned boolean",
      "is_unlogged boolean",
      `created_at ${tstz}`,
    ]);
  });
});

Deno.test({
  name: "pgmq stand-in: a read message is hidden until its vt passes, then read again",
  ignore,
}, async () => {
  await withPgmq(async (db) => {
    await db`select pgmq.create('jobs')`;
    const [{ send: first }] = await db<{ send: string }[]>`
      select * from pgmq.send(queue_name => 'jobs', msg => '{"n": 1}'::jsonb)
    `;
    const batch = await db<{ send_batch: string }[]>`
      select * from pgmq.send_batch(queue_name => 'jobs',
        msgs => array['{"n": 2}', '{"n": 3}']::jsonb[])
    `;
    const batchIds = batch.map((r) => BigInt(r.send_batch));
    assert.equal(batchIds.length, 2);
    assert.ok(BigInt(first) < batchIds[0] && batchIds[0] < batchIds[1], "msg_ids ascend");

    const [claimed] = await db<Message[]>`
      select * from pgmq.read(queue_name => 'jobs', vt => 1, qty => 1)
    `;
    assert.equal(claimed.msg_id, first, "oldest message first");
    assert.equal(claimed.read_ct, 1);
    assert.deepEqual(claimed.message, { n: 1 });

    // pgmq.read returns its rows in no promised order (UPDATE ... RETURNING), so sort them.
    const others = await db<Message[]>`select * from pgmq.read('jobs', 30, 10)`;
    others.sort((x, y) => Number(BigInt(x.msg_id) - BigInt(y.msg_id)));
    assert.deepEqual(others.map((m) => m.message), [{ n: 2 }, { n: 3 }], "first one is hidden");

    let again: Message | undefined;
    const giveUpAt = Date.now() + VT_WAIT_LIMIT_MS;
    while (again === undefined && Date.now() < giveUpAt) {
      [again] = await db<Message[]>`select * from pgmq.read('jobs', 30, 10)`;
      if (again === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(again, `message did not reappear within ${VT_WAIT_LIMIT_MS} ms`);
    assert.equal(again.msg_id, first);
    assert.equal(again.read_ct, 2);
    assert.ok(again.vt.getTime() > claimed.vt.getTime(), "the second read set a new vt");
  });
});

Deno.test(
  { name: "pgmq stand-in: send with a delay hides the message until then", ignore },
  async () => {
    await withPgmq(async (db) => {
      await db`select pgmq.create('later')`;
      await db`select pgmq.send(queue_name => 'later', msg => '{"a": 1}', delay => 3600)`;
      await db`select pgmq.send('later', '{"b": 1}', clock_timestamp() - interval '1 second')`;
      const visible = await db<Message[]>`select * from pgmq.read('later', 30, 10)`;
      assert.deepEqual(visible.map((m) => m.message), [{ b: 1 }]);
      const [metrics] = await db<{ queue_length: string; queue_visible_length: string }[]>`
      select * from pgmq.metrics('later')
    `;
      assert.equal(metrics.queue_length, "2");
      assert.equal(metrics.queue_visible_length, "0", "delayed and claimed messages are hidden");
    });
  },
);

Deno.test(
  { name: "pgmq stand-in: concurrent readers never receive the same message", ignore },
  async () => {
    await withPgmq(async (db, url) => {
      await db`select pgmq.create('shared')`;
      await db`
      select pgmq.send_batch('shared', array(
        select jsonb_build_object('n', g) from generate_series(1, 40) g))
    `;
      // A second client whose reads fail instead of hanging if SKIP LOCKED were missing.
      const other = postgres(url, {
        max: 4,
        onnotice: () => {},
        connection: { statement_timeout: 10_000 },
      });
      try {
        // Reader B claims while reader A's claim is still uncommitted (its rows locked).
        const [held, skipped] = await db.begin(async (tx) => {
          const a = await tx<Message[]>`select * from pgmq.read('shared', 30, 10)`;
          const b = await other<Message[]>`select * from pgmq.read('shared', 30, 10)`;
          return [a.map((m) => m.msg_id), b.map((m) => m.msg_id)];
        });
        assert.equal(held.length, 10);
        assert.equal(skipped.length, 10);
        assert.equal(new Set([...held, ...skipped]).size, 20, "no message claimed twice");

        // Then many claims at once from both clients share out the remaining 20 exactly.
        const rounds = await Promise.all(
          [db, other, db, other, db, other].map((client) =>
            client<Message[]>`select * from pgmq.read('shared', 30, 5)`
          ),
        );
        const ids = [...held, ...skipped, ...rounds.flat().map((m) => m.msg_id)];
        assert.equal(ids.length, 40);
        assert.equal(new Set(ids).size, 40, "no message claimed twice");
      } finally {
        await other.end();
      }
    });
  },
);

Deno.test(
  { name: "pgmq stand-in: delete, archive, set_vt, pop, metrics, purge and drop", ignore },
  async () => {
    await withPgmq(async (db) => {
      await db`select pgmq.create('ops')`;
      const ids = (await db<{ id: string }[]>`
      select pgmq.send_batch('ops', array(
        select jsonb_build_object('n', g) from generate_series(1, 8) g)) as id
    `).map((r) => r.id);

      const [del] = await db`
      select pgmq.delete(queue_name => 'ops', msg_id => ${ids[0]}::bigint) as first,
             pgmq.delete(queue_name => 'ops', msg_id => ${ids[0]}::bigint) as second
    `;
      assert.deepEqual({ ...del }, { first: true, second: false });
      const deleted = await db<{ id: string }[]>`
      select pgmq.delete(queue_name => 'ops', msg_ids => array[${ids[0]}, ${
        ids[1]
      }]::bigint[]) as id
    `;
      assert.deepEqual(deleted.map((r) => r.id), [ids[1]], "only messages that existed");

      const [arc] = await db`
      select pgmq.archive(queue_name => 'ops', msg_id => ${ids[2]}::bigint) as moved
    `;
      assert.equal(arc.moved, true);
      const archivedMany = await db<{ id: string }[]>`
      select pgmq.archive(queue_name => 'ops', msg_ids => array[${ids[3]}, ${
        ids[4]
      }]::bigint[]) as id
    `;
      assert.deepEqual(archivedMany.map((r) => r.id).sort(), [ids[3], ids[4]].sort());
      const archive = await db<{ msg_id: string; archived_at: Date | null; message: unknown }[]>`
      select msg_id, archived_at, message from pgmq.a_ops order by msg_id
    `;
      assert.deepEqual(archive.map((r) => r.msg_id), [ids[2], ids[3], ids[4]]);
      assert.ok(archive.every((r) => r.archived_at instanceof Date));
      assert.deepEqual(archive[0].message, { n: 3 });
      const [{ left }] = await db`select count(*)::int as left from pgmq.q_ops`;
      assert.equal(left, 3, "deleted and archived messages left the queue");

      const [hidden] = await db<Message[]>`
      select * from pgmq.set_vt(queue_name => 'ops', msg_id => ${ids[5]}::bigint, vt => 3600)
    `;
      assert.equal(hidden.msg_id, ids[5]);
      const [popped] = await db<Message[]>`select * from pgmq.pop(queue_name => 'ops')`;
      assert.equal(popped.msg_id, ids[6], "pop skips the hidden message and takes the oldest");
      await db`select pgmq.set_vt('ops', ${ids[5]}::bigint, 0)`;
      const [visibleAgain] = await db<Message[]>`select * from pgmq.read('ops', 30, 1)`;
      assert.equal(visibleAgain.msg_id, ids[5], "set_vt 0 makes it visible at once");

      const [metrics] = await db<Record<string, unknown>[]>`select * from pgmq.metrics('ops')`;
      assert.equal(metrics.queue_name, "ops");
      assert.equal(metrics.queue_length, "2");
      assert.equal(metrics.queue_visible_length, "1");
      assert.equal(metrics.total_messages, "8", "every message ever sent");
      const all = await db`select queue_name from pgmq.metrics_all()`;
      assert.deepEqual(all.map((r) => r.queue_name), ["ops"]);
      const queues = await db`select * from pgmq.list_queues()`;
      assert.deepEqual(queues.map((q) => [q.queue_name, q.is_partitioned, q.is_unlogged]), [[
        "ops",
        false,
        false,
      ]]);

      const [{ purged }] = await db`select pgmq.purge_queue('ops') as purged`;
      assert.equal(purged, "2");
      const [{ dropped }] = await db`select pgmq.drop_queue('ops') as dropped`;
      assert.equal(dropped, true);
      const [{ tables }] = await db`
      select count(*)::int as tables from pg_tables where schemaname = 'pgmq' and tablename like '%ops'
    `;
      assert.equal(tables, 0);
      assert.equal((await db`select * from pgmq.list_queues()`).length, 0);
      await assert.rejects(db`select pgmq.drop_queue('ops')`, /does not exist/);
    });
  },
);

Deno.test(
  { name: "pgmq stand-in: headers, conditional reads and read_with_poll", ignore },
  async () => {
    await withPgmq(async (db, url) => {
      await db`select pgmq.create('kinds')`;
      await db`select pgmq.send('kinds', '{"kind": "a"}', '{"trace": "t1"}'::jsonb)`;
      await db`select pgmq.send('kinds', '{"kind": "b"}')`;
      const onlyB = await db<Message[]>`
      select * from pgmq.read(queue_name => 'kinds', vt => 30, qty => 5,
                              conditional => '{"kind": "b"}')
    `;
      assert.deepEqual(onlyB.map((m) => m.message), [{ kind: "b" }]);
      const [a] = await db<Message[]>`select * from pgmq.read('kinds', 30, 5)`;
      assert.deepEqual([a.message, a.headers], [{ kind: "a" }, { trace: "t1" }]);

      const none = await db<Message[]>`
      select * from pgmq.read_with_poll(queue_name => 'kinds', vt => 30, qty => 1,
                                        max_poll_seconds => 1, poll_interval_ms => 50)
    `;
      assert.equal(none.length, 0, "gives up after max_poll_seconds on an empty queue");

      const sender = postgres(url, { max: 1, onnotice: () => {} });
      try {
        const polling = db<Message[]>`
        select * from pgmq.read_with_poll('kinds', 30, 1, max_poll_seconds => 20,
                                          poll_interval_ms => 50)
      `.execute();
        const giveUpAt = Date.now() + 10_000;
        while (Date.now() < giveUpAt) {
          const [{ waiting }] = await sender`
          select count(*)::int as waiting from pg_stat_activity
          where query like '%read_with_poll(''kinds''%' and state = 'active' and pid <> pg_backend_pid()
        `;
          if (waiting > 0) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        await sender`select pgmq.send('kinds', '{"kind": "late"}')`;
        const [late] = await polling;
        assert.deepEqual(late.message, { kind: "late" }, "returns the message sent while polling");
      } finally {
        await sender.end();
      }
    });
  },
);

Deno.test(
  { name: "pgmq stand-in: queue names are case-insensitive and validated", ignore },
  async () => {
    await withPgmq(async (db) => {
      await db`select pgmq.create('MixedCase')`;
      await db`select pgmq.send('mixedcase', '{"x": 1}')`;
      const [m] = await db<Message[]>`select * from pgmq.read('MIXEDCASE', 30, 1)`;
      assert.deepEqual(m.message, { x: 1 });
      await assert.rejects(db`select pgmq.create('bad;name')`, /refuses/);
      await assert.rejects(db`select pgmq.create(${"q".repeat(48)})`, /at most 47/);
      await assert.rejects(db`select pgmq.create_partitioned('parts')`, /pg_partman/);
    });
  },
);
