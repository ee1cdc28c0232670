// The Realtime stand-in (local/realtime) with the real client: supabase-js's
// realtime-js against the local gateway, each test on a database of its own cloned from the
// template (the migrations and the seed, with the stand-in's change triggers installed by
// scripts/test), dropped afterwards.
//
// Ordering is what makes these tests deterministic without sleeps: changes are delivered in
// commit order and each batch goes out in one turn of the server's event loop, so once a client
// sees a later "sentinel" change it has everything before it, and a heartbeat round trip on
// another socket afterwards flushes whatever that socket was sent.
import assert from "node:assert/strict";
import { createClient, type RealtimeChannel, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { signUserJwt } from "../../local/gateway/keys.ts";
import { newProjectKeys, type ProjectKeys } from "../../local/gateway/keyring.ts";
import { newSigningKey } from "../../local/gateway/signing_key.ts";
import type { Gateway } from "../../local/gateway/server.ts";
import { startFixture as startGatewayFixture } from "../../local/gateway/testkit/fixture.ts";
import { createBatch as queueBatch } from "../helpers/batches.ts";
import { cloneTemplate } from "../helpers/pg.ts";
import { type Realtime, startRealtime } from "../../local/realtime/server.ts";
import { conditionHolds, parseFilter } from "../../local/realtime/filters.ts";
import { waitFor as waitUntil } from "../helpers/stack.ts";

// Generous bounds for "eventually": the machine is shared and noisy; passing tests never wait this long.
const WAIT_MS = 30_000;
const BURST_WAIT_MS = 180_000;
const POLL_MS = 20;
// The burst the admin page must keep up with: a 10,000-segment batch moving to "generating".
const BURST_SEGMENTS = 10_000;

type Change = {
  eventType: string;
  new: Record<string, unknown>;
  old: Record<string, unknown>;
  table: string;
  schema: string;
  commit_timestamp: string;
  errors: unknown;
};

interface Fixture {
  sql: postgres.Sql;
  rt: Realtime;
  gw: Gateway;
  keys: ProjectKeys;
  anonKey: string;
  adminJwt: string;
  userJwt: string;
  clients: SupabaseClient[];
  logs: string[];
  close(): Promise<void>;
}

async function waitFor(what: string, ok: () => boolean, timeoutMs = WAIT_MS): Promise<void> {
  await waitUntil(what, ok, timeoutMs, POLL_MS);
}

// startFixture: a clone of the template, `prepare` run on it (e.g. a table's replica identity),
// then the Realtime stand-in and the gateway fixture (keys, an admin's and a user's token) on it.
async function startFixture(
  opts: { prepare?: (sql: postgres.Sql) => Promise<unknown> } = {},
): Promise<Fixture> {
  const database = await cloneTemplate();
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  await opts.prepare?.(sql);
  // Triggers follow the tables' replica identity: install them after `prepare`.
  await sql`select realtime_standin.install()`;
  const keys = await newProjectKeys();
  const logs: string[] = [];
  const rt = await startRealtime({ dbUrl: database.url, keys, log: (l) => logs.push(l) });
  const gateway = await startGatewayFixture({
    keys,
    dbUrl: database.url,
    realtime: rt.handler,
  });
  const clients: SupabaseClient[] = [];
  return {
    sql,
    rt,
    gw: gateway.gateway,
    keys,
    anonKey: gateway.anonKey,
    adminJwt: gateway.adminJwt,
    userJwt: gateway.userJwt,
    clients,
    logs,
    async close() {
      for (const c of clients) await c.removeAllChannels();
      await rt.close();
      await gateway.close();
      await sql.end();
      await database.drop();
    },
  };
}

/** A supabase-js client whose realtime access token is whatever `token()` returns. */
async function client(fx: Fixture, token: () => string): Promise<SupabaseClient> {
  const sb = createClient(fx.gw.url, fx.anonKey, {
    accessToken: () => Promise.resolve(token()),
    // Reconnect fast after dropAll(); the default waits 1 s.
    realtime: { reconnectAfterMs: () => 100 },
  });
  fx.clients.push(sb);
  // Resolve the token before joining, so the join carries it (as an app does after sign-in).
  await sb.realtime.setAuth();
  return sb;
}

/** Subscribes and resolves on SUBSCRIBED; `statuses` collects every status the channel reports. */
function subscribed(channel: RealtimeChannel, statuses: string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.subscribe((status, err) => {
      statuses.push(status);
      if (status === "SUBSCRIBED") resolve();
      else if (status === "CHANNEL_ERROR" || status === "TIMED_OUT") {
        reject(new Error(`subscribe: ${status} ${err?.message ?? ""}`));
      }
    });
  });
}

/** One heartbeat round trip on a client's socket (everything sent before the reply has arrived). */
function heartbeat(sb: SupabaseClient): Promise<void> {
  return new Promise((resolve, reject) => {
    sb.realtime.onHeartbeat((status) => {
      if (status === "ok") resolve();
      else if (status === "error" || status === "timeout") {
        reject(new Error(`heartbeat: ${status}`));
      }
    });
    void sb.realtime.sendHeartbeat();
  });
}

// A batch of every kind for a grade's words (the rows whose changes the tests watch).
async function createBatch(
  sql: postgres.Sql,
  grade: number,
): Promise<{ id: string; total: number }> {
  const row = await queueBatch(sql, { grade }, { kinds: ["word", "definition", "sentence"] });
  return { id: row.batch_id, total: row.total };
}

/** Marks one segment of the batch: a change that reaches subscribers after every earlier one. */
async function sentinel(sql: postgres.Sql, batchId: string): Promise<string> {
  const marker = `sentinel-${crypto.randomUUID()}`;
  await sql`
    update public.audio_segments set last_error = ${marker}
    where id = (select min(id) from public.audio_segments where batch_id = ${batchId})`;
  return marker;
}

const isSentinel = (marker: string) => (c: Change) => c.new.last_error === marker;

/**
 * Lets the server catch up with the changes made before a subscription (create_batch's own
 * updates may still be in flight and reach the new subscriber), then forgets what arrived.
 */
async function settle(sql: postgres.Sql, batchId: string, got: Change[]): Promise<void> {
  const marker = await sentinel(sql, batchId);
  await waitFor("the settling sentinel", () => got.some(isSentinel(marker)));
  got.length = 0;
}

Deno.test("admin with a batch_id filter gets that batch's UPDATEs, not another batch's", async () => {
  const fx = await startFixture();
  try {
    const a = await createBatch(fx.sql, 1);
    const b = await createBatch(fx.sql, 2);
    const sb = await client(fx, () => fx.adminJwt);
    const got: Change[] = [];
    await subscribed(
      sb.channel("batch-a").on(
        "postgres_changes",
        {
          event: "UPDATE",
          schema: "public",
          table: "audio_segments",
          filter: `batch_id=eq.${a.id}`,
        },
        (p) => got.push(p as unknown as Change),
      ),
    );
    await settle(fx.sql, a.id, got);
    await fx.sql`update public.audio_segments set status = 'generating'
                 where batch_id in (${a.id}, ${b.id})`;
    const marker = await sentinel(fx.sql, a.id);
    await waitFor("the sentinel", () => got.some(isSentinel(marker)));

    const updates = got.filter((c) => !isSentinel(marker)(c));
    assert.equal(updates.length, a.total, "one UPDATE per segment of batch A");
    assert.ok(updates.every((c) => c.new.batch_id === a.id), "only batch A's rows");
    const ids = new Set(updates.map((c) => c.new.id));
    assert.equal(ids.size, a.total, "every segment once");
    const first = updates[0];
    assert.equal(first.eventType, "UPDATE");
    assert.equal(first.schema, "public");
    assert.equal(first.table, "audio_segments");
    assert.equal(first.new.status, "generating");
    assert.equal(typeof first.new.id, "number", "int8 arrives as a number");
    assert.match(first.commit_timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    // Default REPLICA IDENTITY: Supabase's WAL has no old row for an UPDATE of non-key columns.
    assert.deepEqual(first.old, {});
    assert.equal(first.errors, null);
    const [row] = await fx.sql`select * from public.audio_segments where id = ${first.new
      .id as number}`;
    assert.equal(first.new.text, row.text);
    assert.equal(first.new.word_id, row.word_id);
  } finally {
    await fx.close();
  }
});

Deno.test("REPLICA IDENTITY FULL: UPDATE events carry the whole old row", async () => {
  {
    const fx = await startFixture({
      prepare: (sql) => sql`alter table public.audio_segments replica identity full`,
    });
    try {
      const a = await createBatch(fx.sql, 1);
      const sb = await client(fx, () => fx.adminJwt);
      const got: Change[] = [];
      await subscribed(
        sb.channel("full").on(
          "postgres_changes",
          {
            event: "UPDATE",
            schema: "public",
            table: "audio_segments",
            filter: `batch_id=eq.${a.id}`,
          },
          (p) => got.push(p as unknown as Change),
        ),
      );
      await settle(fx.sql, a.id, got);
      await fx.sql`update public.audio_segments set status = 'generating', attempts = 1
                   where batch_id = ${a.id}`;
      await waitFor("all updates", () => got.length >= a.total);
      assert.equal(got.length, a.total);
      for (const c of got) {
        assert.equal(c.old.status, "queued");
        assert.equal(c.old.attempts, 0);
        assert.equal(c.new.status, "generating");
        assert.equal(c.new.attempts, 1);
        assert.equal(c.old.id, c.new.id);
        assert.equal(c.old.text, c.new.text);
      }
    } finally {
      await fx.close();
    }
  }
});

Deno.test("INSERT and DELETE events, with an in filter and key-only old rows under RLS", async () => {
  const fx = await startFixture();
  try {
    const sb = await client(fx, () => fx.adminJwt);
    const batches: Change[] = [];
    const segments: Change[] = [];
    await subscribed(
      sb.channel("inserts")
        .on(
          "postgres_changes",
          { event: "*", schema: "public", table: "audio_batches" },
          (p) => batches.push(p as unknown as Change),
        )
        .on(
          "postgres_changes",
          {
            event: "INSERT",
            schema: "public",
            table: "audio_segments",
            filter: "kind=in.(word,sentence)",
          },
          (p) => segments.push(p as unknown as Change),
        ),
    );
    const a = await createBatch(fx.sql, 1);
    // RLS is checked when the change is delivered, against the row as it is then (as on
    // Supabase): delete only once the INSERTs are through, or they would find no row.
    await waitFor("the batch's INSERT", () => batches.some((c) => c.eventType === "INSERT"));
    await waitFor("the segments' INSERTs", () => segments.length >= (a.total / 3) * 2);
    await fx.sql`delete from public.audio_batches where id = ${a.id}`;
    await waitFor("the batch's DELETE", () => batches.some((c) => c.eventType === "DELETE"));

    const inserted = batches.find((c) => c.eventType === "INSERT");
    assert.ok(inserted, "an INSERT for the batch");
    assert.equal(inserted.new.id, a.id);
    assert.equal(inserted.new.status, "queued");
    assert.deepEqual(
      inserted.new.kinds,
      ["word", "definition", "sentence"],
      "arrays arrive as arrays",
    );
    assert.deepEqual(inserted.old, {});
    const deleted = batches.filter((c) => c.eventType === "DELETE");
    assert.equal(deleted.length, 1);
    assert.deepEqual(deleted[0].old, { id: a.id }, "RLS table: DELETE carries only the key");
    assert.deepEqual(deleted[0].new, {});

    assert.equal(
      segments.length,
      (a.total / 3) * 2,
      "word and sentence segments, no definitions",
    );
    assert.ok(segments.every((c) => c.eventType === "INSERT" && c.new.kind !== "definition"));
    assert.ok(segments.every((c) => c.new.batch_id === a.id));
  } finally {
    await fx.close();
  }
});

Deno.test("RLS: a non-admin user receives nothing, an admin on the same config does", async () => {
  const fx = await startFixture();
  try {
    const a = await createBatch(fx.sql, 1);
    const binding = {
      event: "*",
      schema: "public",
      table: "audio_segments",
      filter: `batch_id=eq.${a.id}`,
    } as const;
    const adminClient = await client(fx, () => fx.adminJwt);
    const userClient = await client(fx, () => fx.userJwt);
    const anonClient = await client(fx, () => fx.anonKey);
    const forAdmin: Change[] = [];
    const forUser: Change[] = [];
    const forAnon: Change[] = [];
    await subscribed(
      adminClient.channel("rls").on(
        "postgres_changes",
        binding,
        (p) => forAdmin.push(p as unknown as Change),
      ),
    );
    await subscribed(
      userClient.channel("rls").on(
        "postgres_changes",
        binding,
        (p) => forUser.push(p as unknown as Change),
      ),
    );
    await subscribed(
      anonClient.channel("rls").on(
        "postgres_changes",
        binding,
        (p) => forAnon.push(p as unknown as Change),
      ),
    );

    await settle(fx.sql, a.id, forAdmin);
    const sentBefore = fx.rt.stats().sent;
    await fx.sql`update public.audio_segments set status = 'generating' where batch_id = ${a.id}`;
    const marker = await sentinel(fx.sql, a.id);
    await waitFor("the admin's sentinel", () => forAdmin.some(isSentinel(marker)));
    await heartbeat(userClient);
    await heartbeat(anonClient);

    assert.equal(forAdmin.length, a.total + 1);
    assert.equal(forUser.length, 0, "authenticated without super_admin: RLS hides every row");
    assert.equal(forAnon.length, 0, "anon has no SELECT on audio_segments");
    assert.equal(fx.rt.stats().sent - sentBefore, a.total + 1, "nothing sent to the others");
    assert.equal(fx.rt.stats().connections, 3);
    assert.equal(fx.rt.stats().channels, 3);
  } finally {
    await fx.close();
  }
});

Deno.test("new keys: a publishable-key socket with an ES256 admin token gets rows; a foreign key's token cannot join", async () => {
  const fx = await startFixture();
  try {
    const a = await createBatch(fx.sql, 1);
    const binding = {
      event: "*",
      schema: "public",
      table: "audio_segments",
      filter: `batch_id=eq.${a.id}`,
    } as const;
    const withToken = async (token: string) => {
      const sb = createClient(fx.gw.url, fx.keys.publishableKey, {
        accessToken: () => Promise.resolve(token),
      });
      fx.clients.push(sb);
      await sb.realtime.setAuth();
      return sb;
    };
    const got: Change[] = [];
    const admin = await withToken(fx.adminJwt);
    await subscribed(
      admin.channel("new-keys").on(
        "postgres_changes",
        binding,
        (p) => got.push(p as unknown as Change),
      ),
    );
    const marker = await sentinel(fx.sql, a.id);
    await waitFor("the sentinel on a publishable-key socket", () => got.some(isSentinel(marker)));

    const foreign = await signUserJwt(await newSigningKey(), {
      sub: crypto.randomUUID(),
      appMetadata: { role: "super_admin" },
    });
    const stranger = await withToken(foreign);
    await assert.rejects(
      subscribed(stranger.channel("stranger").on("postgres_changes", binding, () => {})),
      /CHANNEL_ERROR/,
    );
  } finally {
    await fx.close();
  }
});

Deno.test("heartbeats are answered", async () => {
  const fx = await startFixture();
  try {
    const sb = await client(fx, () => fx.adminJwt);
    await subscribed(sb.channel("hb"));
    await heartbeat(sb);
    await heartbeat(sb);
    assert.equal(fx.rt.stats().connections, 1);
  } finally {
    await fx.close();
  }
});

Deno.test("swapping the access token from a non-admin to an admin starts delivery", async () => {
  const fx = await startFixture();
  try {
    const a = await createBatch(fx.sql, 1);
    const binding = {
      event: "UPDATE",
      schema: "public",
      table: "audio_segments",
      filter: `batch_id=eq.${a.id}`,
    } as const;
    // An admin on another socket shows when the server has handled a change.
    const observer = await client(fx, () => fx.adminJwt);
    const observed: Change[] = [];
    await subscribed(
      observer.channel("swap").on(
        "postgres_changes",
        binding,
        (p) => observed.push(p as unknown as Change),
      ),
    );
    let token = fx.userJwt;
    const sb = await client(fx, () => token);
    const got: Change[] = [];
    const system: { status: string; message: string }[] = [];
    await subscribed(
      sb.channel("swap")
        .on("postgres_changes", binding, (p) => got.push(p as unknown as Change))
        .on("system", {}, (p) => system.push(p as { status: string; message: string })),
    );
    await waitFor("the subscribe confirmation", () => system.length >= 1);
    await settle(fx.sql, a.id, observed);
    const first = await sentinel(fx.sql, a.id);
    await waitFor("the observer's event", () => observed.some(isSentinel(first)));
    await heartbeat(sb);
    assert.equal(got.length, 0, "nothing for the non-admin token");

    token = fx.adminJwt;
    await sb.realtime.setAuth();
    await waitFor("the re-subscribe confirmation", () => system.length >= 2);
    assert.ok(system.every((s) => s.status === "ok"), JSON.stringify(system));
    const second = await sentinel(fx.sql, a.id);
    await waitFor("an event for the admin token", () => got.some(isSentinel(second)));
    assert.equal(got.length, 1);
  } finally {
    await fx.close();
  }
});

Deno.test("after dropAll() the client reconnects, rejoins and events flow again", async () => {
  const fx = await startFixture();
  try {
    const a = await createBatch(fx.sql, 1);
    const sb = await client(fx, () => fx.adminJwt);
    const got: Change[] = [];
    const statuses: string[] = [];
    await subscribed(
      sb.channel("drop").on("postgres_changes", {
        event: "UPDATE",
        schema: "public",
        table: "audio_segments",
        filter: `batch_id=eq.${a.id}`,
      }, (p) => got.push(p as unknown as Change)),
      statuses,
    );
    await settle(fx.sql, a.id, got);
    const before = await sentinel(fx.sql, a.id);
    await waitFor("an event before the drop", () => got.some(isSentinel(before)));

    fx.rt.dropAll();
    assert.equal(fx.rt.stats().connections, 0);
    await waitFor(
      "the rejoin",
      () => fx.rt.stats().channels === 1 && statuses.filter((s) => s === "SUBSCRIBED").length >= 2,
    );
    const after = await sentinel(fx.sql, a.id);
    await waitFor("an event after the reconnect", () => got.some(isSentinel(after)));
    assert.equal(got.length, 2);
  } finally {
    await fx.close();
  }
});

Deno.test("rows too large for a NOTIFY payload are read back by key", async () => {
  const fx = await startFixture();
  try {
    const a = await createBatch(fx.sql, 1);
    const sb = await client(fx, () => fx.adminJwt);
    const got: Change[] = [];
    await subscribed(
      sb.channel("big").on("postgres_changes", {
        event: "*",
        schema: "public",
        table: "audio_segments",
        filter: `batch_id=eq.${a.id}`,
      }, (p) => got.push(p as unknown as Change)),
    );
    await settle(fx.sql, a.id, got);
    // 9,000 bytes of text: the trigger's payload would pass PostgreSQL's 8,000-byte limit.
    const long = "x".repeat(9_000);
    const [row] = await fx.sql<{ id: string }[]>`
      update public.audio_segments set text = ${long}
      where id = (select max(id) from public.audio_segments where batch_id = ${a.id})
      returning id`;
    await waitFor("the large UPDATE", () => got.length === 1);
    assert.equal(got[0].eventType, "UPDATE");
    assert.equal(got[0].new.id, Number(row.id));
    assert.equal(got[0].new.text, long, "the row as read back");
    assert.equal(got[0].new.batch_id, a.id);
    assert.equal(got[0].errors, null);
  } finally {
    await fx.close();
  }
});

Deno.test(`a burst of ${BURST_SEGMENTS} updates in one statement arrives complete`, async () => {
  const fx = await startFixture();
  try {
    const [batch] = await fx.sql<{ id: string }[]>`
      insert into public.audio_batches (status, total, voice_id, model_id, format, kinds)
      values ('running', ${BURST_SEGMENTS}, 'v', 'm', 'wav-pcm_s16le-44100', '{word}')
      returning id`;
    await fx.sql`
      insert into public.audio_segments (batch_id, word_id, kind, text, text_hash, voice_id, model_id, format)
      select ${batch.id}, (select id from public.words order by id limit 1), 'word', 'w' || g, 'h' || g,
             'v', 'm', 'wav-pcm_s16le-44100'
      from generate_series(1, ${BURST_SEGMENTS}) g`;
    const sb = await client(fx, () => fx.adminJwt);
    const ids = new Set<unknown>();
    await subscribed(
      sb.channel("burst").on("postgres_changes", {
        event: "UPDATE",
        schema: "public",
        table: "audio_segments",
        filter: `batch_id=eq.${batch.id}`,
      }, (p) => {
        const c = p as unknown as Change;
        if (c.new.status === "generating") ids.add(c.new.id);
      }),
    );
    await fx
      .sql`update public.audio_segments set status = 'generating' where batch_id = ${batch.id}`;
    await waitFor(`${BURST_SEGMENTS} events`, () => ids.size === BURST_SEGMENTS, BURST_WAIT_MS);
    assert.equal(ids.size, BURST_SEGMENTS);
  } finally {
    await fx.close();
  }
});

Deno.test("raw protocol, vsn 1.0.0: 401 for a bad apikey, join, heartbeat, errors, leave", async () => {
  const fx = await startFixture();
  const frames: Record<string, unknown>[] = [];
  let ws: WebSocket | null = null;
  try {
    const base = `${fx.gw.url}/realtime/v1/websocket`;
    const bad = await fetch(`${base}?apikey=not-a-jwt&vsn=1.0.0`);
    assert.equal(bad.status, 401);
    assert.match(((await bad.json()) as { message: string }).message, /apikey/);
    const user = await fetch(`${base}?apikey=${fx.userJwt}&vsn=1.0.0`);
    assert.equal(user.status, 401, "a user token is not an apikey");
    await user.body?.cancel();

    ws = new WebSocket(`${base.replace("http", "ws")}?apikey=${fx.anonKey}&vsn=1.0.0`);
    const socket = ws;
    socket.onmessage = (ev) => frames.push(JSON.parse(ev.data as string));
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    });
    const send = (msg: Record<string, unknown>) => socket.send(JSON.stringify(msg));
    const reply = async (ref: string) => {
      await waitFor(`reply ${ref}`, () => frames.some((f) => f.ref === ref));
      return frames.find((f) => f.ref === ref) as {
        topic: string;
        payload: { status: string; response: Record<string, unknown> };
      };
    };

    send({ topic: "phoenix", event: "heartbeat", payload: {}, ref: "1", join_ref: null });
    assert.deepEqual((await reply("1")).payload, { status: "ok", response: {} });

    send({
      topic: "realtime:raw",
      event: "phx_join",
      ref: "2",
      join_ref: "2",
      payload: {
        config: {
          postgres_changes: [
            {
              event: "UPDATE",
              schema: "public",
              table: "audio_segments",
              filter: "attempts=gte.1",
            },
            { event: "*", schema: "public", table: "audio_segments", filter: "text=like.%a%" },
            { event: "*", schema: "public", table: "words" },
          ],
        },
        access_token: fx.adminJwt,
      },
    });
    const joined = await reply("2");
    assert.equal(joined.payload.status, "ok");
    const bindings = joined.payload.response.postgres_changes as Record<string, unknown>[];
    assert.equal(bindings.length, 3);
    assert.equal(bindings[0].filter, "attempts=gte.1", "params are echoed");
    assert.ok(bindings.every((b) => typeof b.id === "number"));
    await waitFor(
      "system messages",
      () => frames.filter((f) => f.event === "system").length >= 3,
    );
    const system = frames.filter((f) => f.event === "system").map((f) =>
      f.payload as Record<string, string>
    );
    assert.ok(system.some((s) => s.status === "error" && /operator "like"/.test(s.message)));
    assert.ok(system.some((s) => s.status === "error" && /not in publication/.test(s.message)));
    assert.ok(system.some((s) => s.status === "ok" && s.message === "Subscribed to PostgreSQL"));

    send({
      topic: "realtime:other",
      event: "access_token",
      ref: "3",
      join_ref: null,
      payload: {},
    });
    assert.equal((await reply("3")).payload.status, "error", "unmatched topic");

    const expired = await signUserJwt(fx.keys.signingKey, {
      sub: crypto.randomUUID(),
      expiresInS: -60,
    });
    send({
      topic: "realtime:late",
      event: "phx_join",
      ref: "4",
      join_ref: "4",
      payload: { config: {}, access_token: expired },
    });
    const refused = await reply("4");
    assert.equal(refused.payload.status, "error");
    assert.match(String(refused.payload.response.reason), /InvalidJWTToken: Token has expired/);

    send({
      topic: "realtime:raw",
      event: "access_token",
      ref: "5",
      join_ref: "2",
      payload: { access_token: "forged.token.value" },
    });
    assert.equal((await reply("5")).payload.status, "error");
    const closes = () => frames.filter((f) => f.event === "phx_close").length;
    await waitFor("the channel's phx_close", () => closes() === 1);
    assert.equal(fx.rt.stats().channels, 0, "a bad token shuts the channel down");

    send({
      topic: "realtime:raw",
      event: "phx_join",
      ref: "6",
      join_ref: "6",
      payload: { config: {}, access_token: fx.adminJwt },
    });
    assert.equal((await reply("6")).payload.status, "ok");
    assert.equal(fx.rt.stats().channels, 1);
    send({ topic: "realtime:raw", event: "phx_leave", ref: "7", join_ref: "6", payload: {} });
    assert.equal((await reply("7")).payload.status, "ok");
    await waitFor("phx_close after leave", () => closes() === 2);
    assert.equal(fx.rt.stats().channels, 0);
  } finally {
    if (ws) {
      const closed = new Promise((resolve) => ws!.onclose = resolve);
      ws.close();
      await closed;
    }
    await fx.close();
  }
});

Deno.test("filters: operators, types, negation and quoting", () => {
  const one = (filter: string) => {
    const [c] = parseFilter(filter);
    return c;
  };
  assert.ok(conditionHolds(one("attempts=eq.3"), 3, "int4"));
  assert.ok(!conditionHolds(one("attempts=neq.3"), 3, "int4"));
  assert.ok(conditionHolds(one("attempts=gt.9"), 10, "int4"), "numbers compare as numbers");
  assert.ok(!conditionHolds(one("text=gt.9"), "10", "text"), "text compares as text");
  assert.ok(conditionHolds(one("attempts=lte.3"), 3, "int8"));
  assert.ok(conditionHolds(one("attempts=lt.3.5"), 3, "numeric"));
  assert.ok(conditionHolds(one("status=in.(queued,done)"), "done", "text"));
  assert.ok(!conditionHolds(one("status=not.in.(queued,done)"), "done", "text"));
  assert.ok(conditionHolds(one('text=eq."a,b (c)"'), "a,b (c)", "text"), "quoted values");
  assert.ok(conditionHolds(one("reused=eq.true"), true, "bool"));
  assert.ok(
    conditionHolds(
      one("batch_id=eq.7AC64EC2-4FDC-465D-84B1-30C56F25733D"),
      "7ac64ec2-4fdc-465d-84b1-30c56f25733d",
      "uuid",
    ),
    "uuids ignore case",
  );
  assert.ok(
    conditionHolds(
      one("created_at=gte.2026-11-24 21:12:44+00"),
      "2026-11-24T21:12:44.000001+00:00",
      "timestamptz",
    ),
    "timestamps compare as instants, to the microsecond",
  );
  assert.ok(
    !conditionHolds(
      one("created_at=lt.2026-11-24T22:12:44+01:00"),
      "2026-11-24T21:12:44+00:00",
      "timestamptz",
    ),
  );
  assert.ok(!conditionHolds(one("last_error=eq.x"), null, "text"), "NULL never matches");
  assert.ok(
    !conditionHolds(one("last_error=neq.x"), null, "text"),
    "NULL never matches, negated either",
  );
  assert.equal(parseFilter("a=eq.1,b=in.(2,3)").length, 2, "commas join conditions");
  assert.throws(() => parseFilter("text=like.%a%"), /operator "like" is not supported/);
  assert.throws(() => parseFilter("nocolumn"), /column=operator.value/);
  assert.throws(() => parseFilter("a=in.1"), /in takes a list/);
});
