// Broadcast from the database through the Realtime stand-in (local/realtime), with the real
// client: supabase-js's realtime-js (vsn 2.0.0, binary broadcast frames) against the local
// gateway, each test on a database of its own cloned from the template (the migrations, whose
// policies on realtime.messages admit only admins to batch:* and batches), dropped afterwards.
//
// "Receives nothing" is made deterministic without sleeps: messages are pushed in commit order,
// so once a client sees a later public "sentinel" message on another channel of the same socket,
// anything sent to it before has arrived.
import assert from "node:assert/strict";
import { createClient, type RealtimeChannel, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { newProjectKeys } from "../../local/gateway/keyring.ts";
import { startFixture as startGatewayFixture } from "../../local/gateway/testkit/fixture.ts";
import { type Realtime, startRealtime } from "../../local/realtime/server.ts";
import { cloneTemplate } from "../helpers/pg.ts";
import { waitFor } from "../helpers/stack.ts";

// Generous bound for "eventually" on a shared, noisy machine; passing tests never wait this long.
const WAIT_MS = 30_000;
const POLL_MS = 20;

interface Received {
  event: string;
  payload: Record<string, unknown>;
  meta?: { id?: string };
}

interface Fixture {
  sql: postgres.Sql;
  rt: Realtime;
  url: string;
  anonKey: string;
  adminJwt: string;
  userJwt: string;
  clients: SupabaseClient[];
  close(): Promise<void>;
}

async function startFixture(opts: { maxPayloadKb?: number } = {}): Promise<Fixture> {
  const database = await cloneTemplate();
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  const keys = await newProjectKeys();
  const rt = await startRealtime({ dbUrl: database.url, keys, log: () => {}, ...opts });
  const gateway = await startGatewayFixture({ keys, dbUrl: database.url, realtime: rt.handler });
  const clients: SupabaseClient[] = [];
  return {
    sql,
    rt,
    url: gateway.gateway.url,
    anonKey: gateway.anonKey,
    adminJwt: gateway.adminJwt,
    userJwt: gateway.userJwt,
    clients,
    async close() {
      for (const c of clients) await c.removeAllChannels();
      await rt.close();
      await gateway.close();
      await sql.end();
      await database.drop();
    },
  };
}

/** A supabase-js client whose Realtime joins carry `token` (none: the anon key alone). */
async function client(fx: Fixture, token?: string): Promise<SupabaseClient> {
  const sb = createClient(
    fx.url,
    fx.anonKey,
    token ? { accessToken: () => Promise.resolve(token) } : {},
  );
  fx.clients.push(sb);
  if (token) await sb.realtime.setAuth();
  return sb;
}

/** A channel on `topic` collecting every broadcast; resolves with the status it ended in. */
function listen(
  sb: SupabaseClient,
  topic: string,
  isPrivate: boolean,
  got: Received[],
): Promise<{ channel: RealtimeChannel; status: string; error?: string }> {
  const channel = sb.channel(topic, { config: { private: isPrivate } })
    .on("broadcast", { event: "*" }, (m) => void got.push(m as unknown as Received));
  return new Promise((resolve) => {
    channel.subscribe((status, err) => {
      if (status === "SUBSCRIBED") resolve({ channel, status });
      else if (status === "CHANNEL_ERROR" || status === "TIMED_OUT") {
        resolve({ channel, status, error: err?.message });
      }
    });
  });
}

async function send(fx: Fixture, topic: string, event: string, payload: object, isPrivate = true) {
  await fx.sql`select realtime.send(${fx.sql.json(payload as postgres.JSONValue)}::jsonb, ${event},
                                    ${topic}, ${isPrivate})`;
}

function until(what: string, ok: () => boolean): Promise<unknown> {
  return waitFor(what, ok, WAIT_MS, POLL_MS);
}

Deno.test("an admin joins a private batch topic and receives what realtime.send sends to it", async () => {
  const fx = await startFixture();
  try {
    const topic = `batch:${crypto.randomUUID()}`;
    const admin = await client(fx, fx.adminJwt);
    const got: Received[] = [];
    const joined = await listen(admin, topic, true, got);
    assert.equal(joined.status, "SUBSCRIBED", joined.error);

    await send(fx, topic, "progress", { status: "running", done: 7 });
    await send(fx, "batches", "batch", { status: "ignored: another topic" });
    await send(fx, topic, "progress", { status: "public: not for a private channel" }, false);
    await send(fx, topic, "segments", { changes: [] });
    await until("the segments message", () => got.some((m) => m.event === "segments"));

    assert.deepEqual(
      got.map((m) => m.event),
      ["progress", "segments"],
      "only its topic, private only",
    );
    const [progress] = got;
    assert.equal(progress.payload.status, "running");
    assert.equal(progress.payload.done, 7);
    const [row] = await fx.sql`select id::text from realtime.messages
                               where topic = ${topic} and event = 'progress' and private`;
    assert.equal(progress.payload.id, row.id, "realtime.send puts the message id in the payload");
    assert.equal(progress.meta?.id, row.id, "and in the frame's metadata");
    assert.equal(fx.rt.stats().broadcasts, 2);
  } finally {
    await fx.close();
  }
});

Deno.test("a non-admin's join of a private batch topic is refused and it receives nothing", async () => {
  const fx = await startFixture();
  try {
    const topic = `batch:${crypto.randomUUID()}`;
    for (const token of [fx.userJwt, undefined]) {
      const sb = await client(fx, token);
      const got: Received[] = [];
      const joined = await listen(sb, topic, true, got);
      assert.equal(joined.status, "CHANNEL_ERROR", `${token ? "user" : "anon"}: join refused`);
      assert.match(
        joined.error ?? "",
        new RegExp(
          `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`,
        ),
      );
      // The same socket's public channel sees a sentinel sent after the private message.
      const sentinel: Received[] = [];
      assert.equal(
        (await listen(sb, `sentinel-${crypto.randomUUID()}`, false, sentinel)).status,
        "SUBSCRIBED",
      );
      await send(fx, topic, "progress", { status: "secret" });
      const sentinelTopic = sb.getChannels().find((c) => c.topic.includes("sentinel"))!.topic;
      await send(fx, sentinelTopic.replace(/^realtime:/, ""), "sentinel", {}, false);
      await until("the sentinel", () => sentinel.length > 0);
      assert.deepEqual(got, [], "nothing reached the refused channel");
      await sb.removeAllChannels();
    }
  } finally {
    await fx.close();
  }
});

Deno.test("a private join is refused on a topic no policy admits, even for an admin", async () => {
  const fx = await startFixture();
  try {
    const admin = await client(fx, fx.adminJwt);
    const refused = await listen(admin, "words", true, []);
    assert.equal(refused.status, "CHANNEL_ERROR");
    assert.match(refused.error ?? "", /Unauthorized: .*topic: words/);
    const list = await listen(admin, "batches", true, []);
    assert.equal(list.status, "SUBSCRIBED", "the batch list topic admits admins");
  } finally {
    await fx.close();
  }
});

Deno.test("public channels receive public messages, whoever joins", async () => {
  const fx = await startFixture();
  try {
    const anon = await client(fx);
    const got: Received[] = [];
    const topic = `news-${crypto.randomUUID()}`;
    assert.equal((await listen(anon, topic, false, got)).status, "SUBSCRIBED");
    await send(fx, topic, "private-one", {}, true);
    await send(fx, topic, "hello", { n: 1 }, false);
    await until("the public message", () => got.length > 0);
    assert.deepEqual(got.map((m) => [m.event, m.payload.n]), [["hello", 1]]);
  } finally {
    await fx.close();
  }
});

Deno.test("a new token without read access closes the private channel; nothing more reaches it", async () => {
  const fx = await startFixture();
  try {
    const topic = `batch:${crypto.randomUUID()}`;
    let token = fx.adminJwt;
    const sb = createClient(fx.url, fx.anonKey, { accessToken: () => Promise.resolve(token) });
    fx.clients.push(sb);
    await sb.realtime.setAuth();
    const got: Received[] = [];
    const statuses: string[] = [];
    const channel = sb.channel(topic, { config: { private: true } })
      .on("broadcast", { event: "*" }, (m) => void got.push(m as unknown as Received));
    await new Promise<void>((resolve) =>
      channel.subscribe((status) => {
        statuses.push(status);
        if (status === "SUBSCRIBED") resolve();
      })
    );
    await send(fx, topic, "progress", { n: 1 });
    await until("the first message", () => got.length === 1);

    token = fx.userJwt;
    await sb.realtime.setAuth();
    await until("the channel closed", () => statuses.includes("CLOSED"));
    const sentinel: Received[] = [];
    const sentinelTopic = `sentinel-${crypto.randomUUID()}`;
    assert.equal((await listen(sb, sentinelTopic, false, sentinel)).status, "SUBSCRIBED");
    await send(fx, topic, "progress", { n: 2 });
    await send(fx, sentinelTopic, "sentinel", {}, false);
    await until("the sentinel", () => sentinel.length > 0);
    assert.deepEqual(got.map((m) => m.payload.n), [1], "nothing after the non-admin token");
  } finally {
    await fx.close();
  }
});

/** Sends a message whose payload's JSON text, as stored (realtime.send adds the id), is exactly
 * `bytes` long: `{"id": "<uuid>", "pad": "xx…"}`, 57 bytes and the padding. */
async function sendSized(fx: Fixture, topic: string, event: string, bytes: number) {
  await fx.sql`select realtime.send(jsonb_build_object('pad', repeat('x', ${bytes - 57}::integer)),
                                    ${event}, ${topic}, true)`;
  const [row] = await fx.sql`select octet_length(payload::text) as n from realtime.messages
                             where topic = ${topic} and event = ${event}`;
  assert.equal(row.n, bytes, "the payload's size as Realtime measures it (its JSON text)");
}

Deno.test("a broadcast over the payload limit (default: Free, 256 KB) is dropped, the others delivered", async () => {
  const fx = await startFixture();
  try {
    const topic = `batch:${crypto.randomUUID()}`;
    const admin = await client(fx, fx.adminJwt);
    const got: Received[] = [];
    assert.equal((await listen(admin, topic, true, got)).status, "SUBSCRIBED");

    // Realtime refuses a payload whose Erlang term (the text's bytes and 6) is over
    // 256 × 1000 + 500 bytes: text of 256,494 bytes passes, 256,495 does not.
    await sendSized(fx, topic, "over", 256_495);
    await sendSized(fx, topic, "at-limit", 256_494);
    await send(fx, topic, "after", { n: 1 });
    await until("the message after", () => got.some((m) => m.event === "after"));
    assert.deepEqual(
      got.map((m) => m.event),
      ["at-limit", "after"],
      "the oversized one went nowhere",
    );
    assert.equal(fx.rt.stats().oversized, 1);
  } finally {
    await fx.close();
  }
});

Deno.test("a configured payload limit (maxPayloadKb) drops what is over it", async () => {
  const fx = await startFixture({ maxPayloadKb: 1 });
  try {
    const topic = `batch:${crypto.randomUUID()}`;
    const admin = await client(fx, fx.adminJwt);
    const got: Received[] = [];
    assert.equal((await listen(admin, topic, true, got)).status, "SUBSCRIBED");
    await sendSized(fx, topic, "fits", 1_494);
    await sendSized(fx, topic, "over", 1_495);
    await send(fx, topic, "after", {});
    await until("the message after", () => got.some((m) => m.event === "after"));
    assert.deepEqual(got.map((m) => m.event), ["fits", "after"]);
    assert.equal(fx.rt.stats().oversized, 1);
  } finally {
    await fx.close();
  }
});

Deno.test("raw protocol, vsn 1.0.0: a broadcast is a JSON message with type, event, payload, meta", async () => {
  const fx = await startFixture();
  const frames: Record<string, unknown>[] = [];
  const url = `${
    fx.url.replace("http", "ws")
  }/realtime/v1/websocket?apikey=${fx.anonKey}&vsn=1.0.0`;
  const ws = new WebSocket(url);
  try {
    ws.onmessage = (ev) => frames.push(JSON.parse(ev.data as string));
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    const topic = `batch:${crypto.randomUUID()}`;
    ws.send(JSON.stringify({
      topic: `realtime:${topic}`,
      event: "phx_join",
      ref: "1",
      join_ref: "1",
      payload: { config: { private: true }, access_token: fx.adminJwt },
    }));
    await until("the join reply", () => frames.some((f) => f.ref === "1"));
    assert.equal((frames[0].payload as { status: string }).status, "ok");
    await send(fx, topic, "progress", { done: 3 });
    await until("the broadcast", () => frames.some((f) => f.event === "broadcast"));
    const [row] = await fx.sql`select id::text from realtime.messages where topic = ${topic}`;
    assert.deepEqual(frames.find((f) => f.event === "broadcast"), {
      join_ref: null,
      ref: null,
      topic: `realtime:${topic}`,
      event: "broadcast",
      payload: {
        type: "broadcast",
        event: "progress",
        payload: { done: 3, id: row.id },
        meta: { id: row.id },
      },
    });
  } finally {
    ws.close();
    await fx.close();
  }
});
