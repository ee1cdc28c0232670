// The Realtime stand-in: the `/realtime/v1/websocket` endpoint of Supabase Realtime, the subset
// realtime-js uses for Broadcast from the database and postgres_changes (see README.md). Mounted
// by the local gateway through its `realtime` option. Broadcasts come from realtime.messages
// (platform.sql's trigger) and row changes from changes.sql's trigger, both over LISTEN/NOTIFY;
// a private channel joins only if the policies on realtime.messages let its token read the topic,
// and a postgres_changes subscriber receives a row only if its token may SELECT it, as on Supabase.
import postgres from "postgres";
import { channelAccess } from "./authorize.ts";
import { MESSAGES_CHANNEL, pushBroadcasts, readMessages } from "./broadcasts.ts";
import { createCatalog } from "./catalog.ts";
import { type Change, completeTruncated, parseChange } from "./changes.ts";
import { dispatch } from "./dispatch.ts";
import { type Listener, startListener } from "./listener.ts";
import { rowsByKey, visibleKeys } from "./lookups.ts";
import { parseVsn, type Vsn } from "./protocol.ts";
import { Session } from "./session.ts";
import type { ProjectKeys } from "../gateway/keyring.ts";
import { identifyApiKey } from "./tokens.ts";

export interface RealtimeOptions {
  /** Postgres URL of a role that can LISTEN, read the catalog and SET ROLE to the API roles. */
  dbUrl: string;
  /** The project's keys (the gateway's keyring): verify apikeys and access tokens. */
  keys: ProjectKeys;
  /** Where problems are reported (default console.error). Lines never carry a token. */
  log?: (line: string) => void;
}

export interface RealtimeStats {
  /** Open WebSocket connections. */
  connections: number;
  /** Joined channels over all connections. */
  channels: number;
  /** postgres_changes events sent since start. */
  sent: number;
  /** Broadcast messages pushed to channels since start. */
  broadcasts: number;
  /** Row notifications received from the database and not yet dispatched. */
  pending: number;
}

export interface Realtime {
  handler: (req: Request) => Response | Promise<Response>;
  stats(): RealtimeStats;
  /** Closes every socket at once (code 1012), as a dropped connection; clients reconnect. */
  dropAll(): void;
  close(): Promise<void>;
}

/** The channel changes.sql's trigger notifies. */
export const NOTIFY_CHANNEL = "audio_queue_realtime";
const SOCKET_PATH = "/realtime/v1/websocket";
// Long enough to gather a statement's worth of row notifications into one batch, short enough
// that a single change still reaches the admin page with no visible delay.
const BATCH_WINDOW_MS = 20;
// Keys per RLS query and events per dispatch pass: large enough for few round trips in a
// 20,000-change burst, small enough that one pass does not hold the event loop for long.
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
  const catalog = createCatalog(sql);
  const sessions = new Map<WebSocket, Session>();
  let sent = 0;
  let broadcasts = 0;

  const onMessages = async (ids: string[]) => {
    if (sessions.size === 0) return;
    const messages = await readMessages(sql, ids);
    broadcasts += pushBroadcasts(messages, sessions.values(), { now: Date.now, log });
  };

  const onBatch = async (payloads: string[]) => {
    const changes: Change[] = [];
    for (const p of payloads) {
      try {
        changes.push(parseChange(p));
      } catch (err) {
        log(`realtime: ignored a notification: ${err instanceof Error ? err.message : err}`);
      }
    }
    if (sessions.size === 0 || changes.length === 0) return;
    await completeTruncated(
      changes,
      async (schema, table, pks) => {
        const info = await catalog.table(schema, table);
        return info ? await rowsByKey(sql, info, pks) : new Map();
      },
      async (schema, table) => (await catalog.table(schema, table))?.key.map((c) => c.name) ?? [],
    );
    sent += await dispatch(changes, sessions.values(), {
      catalog,
      visibleKeys: (identity, info, pks) => visibleKeys(sql, identity, info, pks),
      now: Date.now,
      log,
    });
  };

  let listener: Listener;
  let messageListener: Listener | null = null;
  try {
    messageListener = await startListener({
      sql,
      channel: MESSAGES_CHANNEL,
      windowMs: BATCH_WINDOW_MS,
      maxBatch: MAX_BATCH,
      onBatch: onMessages,
      log,
    });
    listener = await startListener({
      sql,
      channel: NOTIFY_CHANNEL,
      windowMs: BATCH_WINDOW_MS,
      maxBatch: MAX_BATCH,
      onBatch,
      log,
    });
    await warnIfNotInstalled(sql, log);
  } catch (err) {
    await messageListener?.close();
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
      catalog,
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
      sent,
      broadcasts,
      pending: listener.pending() + (messageListener?.pending() ?? 0),
    }),
    dropAll() {
      for (const socket of [...sessions.keys()]) {
        sessions.delete(socket);
        socket.close(DROP_CODE, "dropped by the Realtime stand-in");
      }
    },
    close() {
      closing ??= (async () => {
        for (const socket of [...sessions.keys()]) socket.close(1001, "Realtime stand-in stopping");
        sessions.clear();
        await listener.close();
        await messageListener?.close();
        await sql.end({ timeout: 5 });
      })();
      return closing;
    },
  };
}

/** Logs the tables of the publication that have no stand-in trigger yet, with the fix. */
async function warnIfNotInstalled(sql: postgres.Sql, log: (line: string) => void): Promise<void> {
  const rows = await sql<{ name: string }[]>`
    select p.schemaname || '.' || p.tablename as name
    from pg_catalog.pg_publication_tables p
    where p.pubname = 'supabase_realtime' and not exists (
      select 1 from pg_catalog.pg_trigger t
      where t.tgname = 'realtime_standin_changes'
        and t.tgrelid = (pg_catalog.quote_ident(p.schemaname) || '.' ||
                         pg_catalog.quote_ident(p.tablename))::regclass)`;
  if (rows.length > 0) {
    log(
      `realtime: ${rows.map((r) => r.name).join(", ")} will not stream: apply ` +
        "local/realtime/changes.sql and run select realtime_standin.install()",
    );
  }
}
