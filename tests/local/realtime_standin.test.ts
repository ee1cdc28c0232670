// The Realtime stand-in's protocol (local/realtime) beyond what realtime_broadcast.test.ts covers:
// the raw Phoenix frames (vsn 1.0.0), API keys and tokens, heartbeats, a postgres_changes join
// refused (only Broadcast from the database is served), a dropped connection healed by
// realtime-js itself, and a channel closed by the server (closeChannels), which realtime-js does
// not rejoin. Each test on a database of its own cloned from the template, dropped afterwards.
//
// "Everything sent has arrived" is made deterministic without sleeps: messages are pushed in
// commit order, so once a client sees a later sentinel message, it has every earlier one.
import assert from "node:assert/strict";
import { createClient, type RealtimeChannel, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { signUserJwt } from "../../local/gateway/keys.ts";
import { newProjectKeys, type ProjectKeys } from "../../local/gateway/keyring.ts";
import { newSigningKey } from "../../local/gateway/signing_key.ts";
import type { Gateway } from "../../local/gateway/server.ts";
import { startFixture as startGatewayFixture } from "../../local/gateway/testkit/fixture.ts";
import { cloneTemplate } from "../helpers/pg.ts";
import { type Realtime, startRealtime } from "../../local/realtime/server.ts";
import { waitFor as waitUntil } from "../helpers/stack.ts";

// Generous bound for "eventually": the machine is shared and noisy; passing tests never wait this long.
const WAIT_MS = 30_000;
const POLL_MS = 20;

interface Received {
  event: string;
  payload: Record<string, unknown>;
}

interface Fixture {
  sql: postgres.Sql;
  rt: Realtime;
  gw: Gateway;
  keys: ProjectKeys;
  anonKey: string;
  adminJwt: string;
  userJwt: string;
  clients: SupabaseClient[];
  close(): Promise<void>;
}

async function waitFor(what: string, ok: () => boolean, timeoutMs = WAIT_MS): Promise<void> {
  await waitUntil(what, ok, timeoutMs, POLL_MS);
}

// startFixture: a clone of the template, the Realtime stand-in and the gateway fixture (keys, an
// admin's and a user's token) on it.
async function startFixture(): Promise<Fixture> {
  const database = await cloneTemplate();
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  const keys = await newProjectKeys();
  const rt = await startRealtime({ dbUrl: database.url, keys, log: () => {} });
  const gateway = await startGatewayFixture({ keys, dbUrl: database.url, realtime: rt.handler });
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
    async close() {
      for (const c of clients) await c.removeAllChannels();
      await rt.close();
      await gateway.close();
      await sql.end();
      await database.drop();
    },
  };
}

/** A supabase-js client (its socket on `apikey`) whose Realtime joins carry `token`. */
async function client(fx: Fixture, token: string, apikey = fx.anonKey): Promise<SupabaseClient> {
  const sb = createClient(fx.gw.url, apikey, {
    accessToken: () => Promise.resolve(token),
    // Reconnect fast after dropAll(); the default waits 1 s.
    realtime: { reconnectAfterMs: () => 100 },
  });
  fx.clients.push(sb);
  // Resolve the token before joining, so the join carries it (as an app does after sign-in).
  await sb.realtime.setAuth();
  return sb;
}

/** A private channel on `topic` collecting its broadcasts. */
function privateChannel(sb: SupabaseClient, topic: string, got: Received[]): RealtimeChannel {
  return sb.channel(topic, { config: { private: true } })
    .on("broadcast", { event: "*" }, (m) => void got.push(m as unknown as Received));
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

/** Sends a message on a private topic the way the database does (audio.send_broadcast). */
async function send(fx: Fixture, topic: string, payload: Record<string, unknown>): Promise<void> {
  await fx.sql`select realtime.send(${fx.sql.json(payload as postgres.JSONValue)}::jsonb,
                                    'progress', ${topic}, true)`;
}

Deno.test("new keys: a publishable-key socket with an ES256 admin token receives; a foreign key's token cannot join", async () => {
  const fx = await startFixture();
  try {
    const topic = `batch:${crypto.randomUUID()}`;
    const got: Received[] = [];
    const admin = await client(fx, fx.adminJwt, fx.keys.publishableKey);
    await subscribed(privateChannel(admin, topic, got));
    await send(fx, topic, { n: 1 });
    await waitFor("the message on a publishable-key socket", () => got.length === 1);

    const foreign = await signUserJwt(await newSigningKey(), {
      sub: crypto.randomUUID(),
      appMetadata: { role: "super_admin" },
    });
    const stranger = await client(fx, foreign, fx.keys.publishableKey);
    await assert.rejects(subscribed(privateChannel(stranger, topic, [])), /CHANNEL_ERROR/);
  } finally {
    await fx.close();
  }
});

Deno.test("heartbeats are answered", async () => {
  const fx = await startFixture();
  try {
    const sb = await client(fx, fx.adminJwt);
    await subscribed(sb.channel("hb"));
    await heartbeat(sb);
    await heartbeat(sb);
    assert.equal(fx.rt.stats().connections, 1);
  } finally {
    await fx.close();
  }
});

Deno.test("a postgres_changes subscription is refused with the reason", async () => {
  const fx = await startFixture();
  try {
    const sb = await client(fx, fx.adminJwt);
    const channel = sb.channel("rows").on(
      "postgres_changes",
      { event: "*", schema: "public", table: "audio_segments" },
      () => {},
    );
    await assert.rejects(subscribed(channel), /postgres_changes is not served/);
  } finally {
    await fx.close();
  }
});

Deno.test("after dropAll() the client reconnects, rejoins and messages flow again", async () => {
  const fx = await startFixture();
  try {
    const topic = `batch:${crypto.randomUUID()}`;
    const sb = await client(fx, fx.adminJwt);
    const got: Received[] = [];
    const statuses: string[] = [];
    await subscribed(privateChannel(sb, topic, got), statuses);
    await send(fx, topic, { n: 1 });
    await waitFor("a message before the drop", () => got.length === 1);

    fx.rt.dropAll();
    assert.equal(fx.rt.stats().connections, 0);
    await waitFor(
      "the rejoin",
      () => fx.rt.stats().channels === 1 && statuses.filter((s) => s === "SUBSCRIBED").length >= 2,
    );
    await send(fx, topic, { n: 2 });
    await waitFor("a message after the reconnect", () => got.length === 2);
    assert.deepEqual(got.map((m) => m.payload.n), [1, 2]);
  } finally {
    await fx.close();
  }
});

Deno.test("closeChannels(): realtime-js reports CLOSED and drops the channel; a new join receives again", async () => {
  const fx = await startFixture();
  try {
    const topic = `batch:${crypto.randomUUID()}`;
    const sb = await client(fx, fx.adminJwt);
    const got: Received[] = [];
    const statuses: string[] = [];
    const system: Record<string, unknown>[] = [];
    const channel = privateChannel(sb, topic, got)
      .on("system", {}, (p) => void system.push(p as Record<string, unknown>));
    await subscribed(channel, statuses);
    await send(fx, topic, { n: 1 });
    await waitFor("a message before the close", () => got.length === 1);

    assert.equal(fx.rt.closeChannels(topic, "Too many messages per second"), 1);
    await waitFor("CLOSED", () => statuses.includes("CLOSED"));
    assert.deepEqual(system, [{
      extension: "system",
      status: "error",
      message: "Too many messages per second",
      channel: topic,
    }]);
    assert.equal(sb.getChannels().length, 0, "realtime-js removed the channel");
    assert.equal(fx.rt.stats().connections, 1, "the socket stays open");
    assert.equal(fx.rt.stats().channels, 0);
    // A public sentinel on the same socket, sent after: once it is in, n: 2 would have been too.
    const sentinel: Received[] = [];
    const sentinelTopic = `sentinel-${crypto.randomUUID()}`;
    await subscribed(
      sb.channel(sentinelTopic).on(
        "broadcast",
        { event: "*" },
        (m) => void sentinel.push(m as unknown as Received),
      ),
    );
    await send(fx, topic, { n: 2 });
    await fx.sql`select realtime.send('{}'::jsonb, 'sentinel', ${sentinelTopic}, false)`;
    await waitFor("the sentinel", () => sentinel.length === 1);
    assert.deepEqual(statuses, ["SUBSCRIBED", "CLOSED"], "no rejoin by itself");

    await subscribed(privateChannel(sb, topic, got));
    await send(fx, topic, { n: 3 });
    await waitFor("a message after joining again", () => got.length === 2);
    assert.deepEqual(got.map((m) => m.payload.n), [1, 3], "nothing while closed");
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

    // postgres_changes is not served: the join says so instead of streaming nothing.
    send({
      topic: "realtime:rows",
      event: "phx_join",
      ref: "20",
      join_ref: "20",
      payload: {
        config: { postgres_changes: [{ event: "*", schema: "public", table: "audio_segments" }] },
        access_token: fx.adminJwt,
      },
    });
    const rows = await reply("20");
    assert.equal(rows.payload.status, "error");
    assert.match(String(rows.payload.response.reason), /postgres_changes is not served/);

    send({
      topic: "realtime:raw",
      event: "phx_join",
      ref: "2",
      join_ref: "2",
      payload: { config: {}, access_token: fx.adminJwt },
    });
    const joined = await reply("2");
    assert.equal(joined.payload.status, "ok");
    assert.deepEqual(joined.payload.response, { postgres_changes: [] });

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
    // As Phoenix closes a channel whose process stopped: join_ref and ref are the join's.
    assert.deepEqual(frames.find((f) => f.event === "phx_close"), {
      join_ref: "2",
      ref: "2",
      topic: "realtime:raw",
      event: "phx_close",
      payload: {},
    });

    send({
      topic: "realtime:raw",
      event: "phx_join",
      ref: "6",
      join_ref: "6",
      payload: { config: {}, access_token: fx.adminJwt },
    });
    assert.equal((await reply("6")).payload.status, "ok");
    assert.equal(fx.rt.stats().channels, 1);
    // Closed by the server (closeChannels): a system error with the reason, then phx_close.
    const before = frames.length;
    assert.equal(fx.rt.closeChannels("raw", "Too many messages per second"), 1);
    await waitFor("phx_close after closeChannels", () => closes() === 2);
    assert.deepEqual(frames.slice(before), [
      {
        join_ref: "6",
        ref: null,
        topic: "realtime:raw",
        event: "system",
        payload: {
          extension: "system",
          status: "error",
          message: "Too many messages per second",
          channel: "raw",
        },
      },
      { join_ref: "6", ref: "6", topic: "realtime:raw", event: "phx_close", payload: {} },
    ]);
    assert.equal(fx.rt.stats().channels, 0);

    send({
      topic: "realtime:raw",
      event: "phx_join",
      ref: "8",
      join_ref: "8",
      payload: { config: {}, access_token: fx.adminJwt },
    });
    assert.equal((await reply("8")).payload.status, "ok");
    send({ topic: "realtime:raw", event: "phx_leave", ref: "7", join_ref: "8", payload: {} });
    assert.equal((await reply("7")).payload.status, "ok");
    await waitFor("phx_close after leave", () => closes() === 3);
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
