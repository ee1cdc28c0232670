// The pg_net stand-in's worker: takes requests queued by net.http_get/http_post/http_delete, sends
// them (send_request.ts) and records each outcome in net._http_response, as pg_net's background
// worker does. It wakes on NOTIFY audio_queue_pg_net (sent by the stand-in's trigger when a
// request commits) and also polls, in case a notification is missed while reconnecting.

import postgres from "postgres";
import { isLoopbackHost } from "./host_policy.ts";
import { sendRequest } from "./send_request.ts";
import type { FetchLike, QueuedRequest, ResponseRow } from "./types.ts";

/** The channel the stand-in's trigger notifies (see pg_net--0.19.5.sql). */
export const NOTIFY_CHANNEL = "audio_queue_pg_net";

/** net.check_worker_is_up() looks for a connection with this name. */
const DISPATCHER_APPLICATION_NAME = "pg_net stand-in dispatcher";

/** Polling only backs up NOTIFY, so half a second of latency in that rare case is fine. */
const DEFAULT_POLL_INTERVAL_MS = 500;

/** pg_net.batch_size defaults to 200: requests taken per query, and our cap on requests in flight. */
const DEFAULT_BATCH_SIZE = 200;

/** pg_net.ttl defaults to 6 hours: older response rows are deleted. */
const DEFAULT_RESPONSE_TTL_MS = 6 * 60 * 60 * 1000;

/** Expired responses are swept at most this often; the delete is indexed on created. */
const TTL_SWEEP_INTERVAL_MS = 60_000;

/** Takes per wake-up; more work is picked up by the next notification or poll. */
const MAX_TAKES_PER_WAKE = 50;

export interface NetDispatcherOptions {
  /** Database with the pg_net stand-in installed (the dispatcher serves that database only). */
  dbUrl: string;
  pollIntervalMs?: number;
  fetch?: FetchLike;
  /** Default: loopback hosts only. Refused requests get an error row and are never sent. */
  allowHost?: (host: string) => boolean;
  batchSize?: number;
  responseTtlMs?: number;
  /** Errors the dispatcher survives (database hiccups); default: printed to stderr. */
  onError?: (error: unknown) => void;
}

export interface NetDispatcherStats {
  /** Requests that got an HTTP response (any status). */
  sent: number;
  /** Requests recorded without a response: refused, invalid, timed out, network error. */
  failed: number;
}

export interface NetDispatcher {
  /** Stops taking requests, aborts those in flight (recorded as failed), closes connections. */
  stop(): Promise<void>;
  stats(): NetDispatcherStats;
}

interface QueueRow {
  id: string;
  method: string;
  url: string;
  headers: Record<string, unknown> | null;
  body: Uint8Array | null;
  timeout_milliseconds: number;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`startNetDispatcher: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Connects, starts listening and polling, and resolves once requests are being taken. */
export async function startNetDispatcher(options: NetDispatcherOptions): Promise<NetDispatcher> {
  const pollIntervalMs = positiveInteger(
    "pollIntervalMs",
    options.pollIntervalMs,
    DEFAULT_POLL_INTERVAL_MS,
  );
  const batchSize = positiveInteger("batchSize", options.batchSize, DEFAULT_BATCH_SIZE);
  const responseTtlMs = positiveInteger(
    "responseTtlMs",
    options.responseTtlMs,
    DEFAULT_RESPONSE_TTL_MS,
  );
  const fetchFn: FetchLike = options.fetch ?? fetch;
  const allowHost = options.allowHost ?? isLoopbackHost;
  const onError = options.onError ??
    ((error: unknown) => console.error("pg_net stand-in dispatcher:", error));

  const sql = postgres(options.dbUrl, {
    max: 2,
    onnotice: () => {},
    connection: { application_name: DISPATCHER_APPLICATION_NAME },
  });

  const stopController = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const counts: NetDispatcherStats = { sent: 0, failed: 0 };
  let stopped = false;
  let draining: Promise<void> | null = null;
  let wakeAgain = false;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let lastSweep = 0;

  async function take(limit: number): Promise<QueuedRequest[]> {
    const rows = await sql<QueueRow[]>`
      delete from net.http_request_queue q
      where q.id in (
        select id from net.http_request_queue order by id limit ${limit} for update skip locked
      )
      returning q.id::text as id, q.method::text as method, q.url, q.headers, q.body,
                q.timeout_milliseconds
    `;
    return rows
      .map((row) => ({
        id: row.id,
        method: row.method,
        url: row.url,
        headers: row.headers,
        body: row.body === null ? null : new Uint8Array(row.body),
        timeoutMs: row.timeout_milliseconds,
      }))
      .sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
  }

  async function record(row: ResponseRow): Promise<void> {
    await sql`
      insert into net._http_response
        (id, status_code, content_type, headers, content, timed_out, error_msg)
      values (
        ${row.id}::bigint, ${row.statusCode}, ${row.contentType},
        ${row.headers === null ? null : sql.json(row.headers)}, ${row.content},
        ${row.timedOut}, ${row.errorMsg}
      )
    `;
    if (row.statusCode === null) counts.failed++;
    else counts.sent++;
  }

  /** Puts back requests taken while stop() ran, unsent, for the next dispatcher. */
  async function requeue(requests: QueuedRequest[]): Promise<void> {
    for (const r of requests) {
      await sql`
        insert into net.http_request_queue (id, method, url, headers, body, timeout_milliseconds)
        values (${r.id}::bigint, ${r.method}, ${r.url},
                ${r.headers === null ? null : sql.json(r.headers as postgres.JSONValue)},
                ${r.body}, ${r.timeoutMs})
      `;
    }
  }

  function handle(request: QueuedRequest): void {
    const work = sendRequest(request, {
      fetch: fetchFn,
      allowHost,
      stopSignal: stopController.signal,
    })
      .then(record)
      .catch(onError)
      .finally(() => {
        inFlight.delete(work);
        if (inFlight.size === batchSize - 1) wake(); // a slot opened after we ran out of room
      });
    inFlight.add(work);
  }

  async function sweepExpiredResponses(): Promise<void> {
    if (Date.now() - lastSweep < TTL_SWEEP_INTERVAL_MS) return;
    lastSweep = Date.now();
    await sql`
      delete from net._http_response r
      where r.ctid in (
        select ctid from net._http_response
        where created < now() - make_interval(secs => ${responseTtlMs / 1000})
        order by created
        limit ${batchSize}
      )
    `;
  }

  async function drain(): Promise<void> {
    await sweepExpiredResponses();
    for (let i = 0; i < MAX_TAKES_PER_WAKE && !stopped; i++) {
      const room = batchSize - inFlight.size;
      if (room <= 0) return;
      const requests = await take(room);
      if (stopped) return await requeue(requests);
      requests.forEach(handle);
      if (requests.length < room) return;
    }
  }

  function wake(): void {
    if (stopped) return;
    if (draining) {
      wakeAgain = true;
      return;
    }
    draining = (async () => {
      try {
        do {
          wakeAgain = false;
          await drain();
        } while (wakeAgain && !stopped);
      } catch (error) {
        onError(error);
      } finally {
        draining = null;
      }
    })();
  }

  function schedulePoll(): void {
    if (stopped) return;
    pollTimer = setTimeout(() => {
      wake();
      schedulePoll();
    }, pollIntervalMs);
  }

  let listener: postgres.ListenMeta;
  try {
    const [{ queue }] = await sql<{ queue: string | null }[]>`
      select to_regclass('net.http_request_queue')::text as queue
    `;
    if (queue === null) {
      throw new Error(
        "startNetDispatcher: the database has no net.http_request_queue; run " +
          "`create extension pg_net with schema extensions` there first (stand-in files: " +
          "scripts/lib/standins.sh install_standin_extensions)",
      );
    }
    listener = await sql.listen(NOTIFY_CHANNEL, () => wake(), () => wake());
  } catch (error) {
    await sql.end({ timeout: 5 });
    throw error;
  }
  schedulePoll();

  return {
    stats: () => ({ ...counts }),
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      clearTimeout(pollTimer);
      stopController.abort();
      await listener.unlisten().catch(onError);
      await draining;
      await Promise.allSettled([...inFlight]);
      await sql.end({ timeout: 5 });
    },
  };
}
