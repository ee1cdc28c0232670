// The Realtime stand-in: the `/realtime/v1/websocket` endpoint of Supabase Realtime, the subset
// realtime-js uses for Broadcast from the database (see README.md). Mounted by the local gateway
// through its `realtime` option. Messages come from realtime.messages (platform.sql's trigger)
// over LISTEN/NOTIFY; a private channel joins only if the policies on realtime.messages let its
// token read the topic, as on Supabase.
import postgres from "postgres";
import { channelAccess } from "./authorize.ts";
import {
  FREE_PLAN_MAX_PAYLOAD_KB,
  MESSAGES_CHANNEL,
  pushBroadcasts,
  readMessages,
} from "./broadcasts.ts";
import { type Listener, startListener } from "./listener.ts";
import { parseVsn, type Vsn } from "./protocol.ts";
import { Session } from "./session.ts";
import type { ProjectKeys } from "../gateway/keyring.ts";
import { identifyApiKey } from "./tokens.ts";

export interface RealtimeOptions {
  /** Postgres URL of a role that can LISTEN, read realtime.messages and SET ROLE to the API
   * roles. */
  dbUrl: string;
  /** The project's keys (the gateway's keyring): verify apikeys and access tokens. */
  keys: ProjectKeys;
  /** Where problems are reported (default console.error). Lines never carry a token. */
  log?: (line: string) => void;
  /** The project's Broadcast payload limit in KB (default 256, the Free plan's): a message
   * from the database over it is dropped and logged, never delivered, as Realtime does. */
  maxPayloadKb?: number;
}

export interface RealtimeStats {
  /** Open WebSocket connections. */
  connections: number;
  /** Joined channels over all connections. */
  channels: number;
  /** Broadcast messages pushed to channels since start. */
  broadcasts: number;
  /** Messages dropped since start for a payload over the limit. */
  oversized: number;
  /** Message notifications received from the database and not yet pushed. */
  pending: number;
}

export interface Realtime {
  handler: (req: Request) => Response | Promise<Response>;
  stats(): RealtimeStats;
  /** Closes every socket at once (code 1012), as a dropped connection; clients reconnect. */
  dropAll(): void;
  /** Closes every channel joined to `topic` (without "realtime:") from the server side, the
   * sockets staying open, as Realtime shuts a channel down (over the project's messages per
   * second, a token that expired or lost access): a `system` error with `reason`, then
   * phx_close. realtime-js reports CLOSED and forgets the channel; it does not rejoin by itself.
   * Returns how many channels were closed. */
  closeChannels(topic: string, reason: string): number;
  close(): Promise<void>;
}

const SOCKET_PATH = "/realtime/v1/websocket";
// Long enough to gather a commit's worth of message notifications into one read, short enough
// that a message still reaches the admin page with no visible delay.
const BATCH_WINDOW_MS = 20;
// Messages read per query: a cancelled batch's handful, or many batches' at once, in one round
// trip, without one read holding the event loop for long.
const MAX_BATCH = 5_000;
// 1012 "service restart": the server went away; realtime-js reconnects after any close it did
// not ask for.
const DROP_CODE = 1012;

function json(status: number, body: Record<string, unknown>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
  });
}

function checkOptions(opts: RealtimeOptions): void {
  if (typeof opts?.dbUrl !== "string" || !/^postgres(ql)?:\/\//.test(opts.dbUrl)) {
    throw new Error("startRealtime: dbUrl must be a postgres:// URL (e.g. the stack's database)");
  }
  if (typeof opts.keys?.jwtSecret !== "string" || opts.keys.jwtSecret.length < 32) {
    throw new Error("startRealtime: keys must be the project's keys (keyring.ts newProjectKeys())");
  }
  const kb = opts.maxPayloadKb;
  if (kb !== undefined && !(Number.isInteger(kb) && kb > 0)) {
    throw new Error(
      "startRealtime: maxPayloadKb must be a positive whole number of KB (Free: 256)",
    );
  }
}

/** Starts listening for changes; resolves once LISTEN is active. */
export async function startRealtime(opts: RealtimeOptions): Promise<Realtime> {
  checkOptions(opts);
  const log = opts.log ?? ((line: string) => console.error(line));
  const sql = postgres(opts.dbUrl, {
    max: 4,
    onnotice: () => {},
    connection: { application_name: "realtime stand-in" },
  });
  const sessions = new Map<WebSocket, Session>();
  const maxPayloadKb = opts.maxPayloadKb ?? FREE_PLAN_MAX_PAYLOAD_KB;
  let broadcasts = 0;
  let oversized = 0;

  const onMessages = async (ids: string[]) => {
    if (sessions.size === 0) return;
    const messages = await readMessages(sql, ids);
    const pushed = pushBroadcasts(messages, sessions.values(), {
      now: Date.now,
      log,
      maxPayloadKb,
    });
    broadcasts += pushed.sent;
    oversized += pushed.dropped;
  };

  let listener: Listener;
  try {
    listener = await startListener({
      sql,
      channel: MESSAGES_CHANNEL,
      windowMs: BATCH_WINDOW_MS,
      maxBatch: MAX_BATCH,
      onBatch: onMessages,
      log,
    });
  } catch (err) {
    await sql.end({ timeout: 1 });
    throw err;
  }

  const upgrade = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    let vsn: Vsn;
    try {
      vsn = parseVsn(url.searchParams.get("vsn"));
    } catch (err) {
      return json(400, { message: err instanceof Error ? err.message : String(err) });
    }
    const key = await identifyApiKey(
      opts.keys,
      url.searchParams.get("apikey") ?? req.headers.get("apikey"),
    );
    if (!key.ok) return json(401, { message: key.reason });
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return json(400, { message: "expected a WebSocket upgrade (Upgrade: websocket)" });
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    const session = new Session({
      vsn,
      apiKey: key.identity,
      keys: opts.keys,
      authorize: (identity, topic, extensions) => channelAccess(sql, identity, topic, extensions),
      send: (frame) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(frame);
      },
      log,
    });
    socket.onopen = () => sessions.set(socket, session);
    socket.onmessage = (ev) => {
      if (typeof ev.data === "string") void session.receive(ev.data);
      else {
        log("realtime: ignored a binary frame (broadcasts from clients are not served)");
      }
    };
    socket.onclose = () => sessions.delete(socket);
    socket.onerror = () => {};
    return response;
  };

  let closing: Promise<void> | null = null;
  return {
    handler(req) {
      const path = new URL(req.url).pathname;
      if (req.method === "OPTIONS") return new Response(null, { status: 204 });
      if (path !== SOCKET_PATH) {
        return json(404, {
          message: `The local Realtime stand-in serves only ${SOCKET_PATH}`,
        });
      }
      return upgrade(req);
    },
    stats: () => ({
      connections: sessions.size,
      channels: [...sessions.values()].reduce((n, s) => n + s.channels.size, 0),
      broadcasts,
      oversized,
      pending: listener.pending(),
    }),
    dropAll() {
      for (const socket of [...sessions.keys()]) {
        sessions.delete(socket);
        socket.close(DROP_CODE, "dropped by the Realtime stand-in");
      }
    },
    closeChannels(topic, reason) {
      let n = 0;
      for (const session of sessions.values()) {
        for (const channel of [...session.channels.values()]) {
          if (channel.subTopic !== topic) continue;
          session.shutdown(channel, reason);
          n++;
        }
      }
      return n;
    },
    close() {
      closing ??= (async () => {
        for (const socket of [...sessions.keys()]) socket.close(1001, "Realtime stand-in stopping");
        sessions.clear();
        await listener.close();
        await sql.end({ timeout: 5 });
      })();
      return closing;
    },
  };
}
