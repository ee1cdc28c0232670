// Sends one queued pg_net request with fetch and turns the outcome into the net._http_response row
// pg_net 0.19.5 would write: status, headers and body (timed_out false) on a response; only
// error_msg otherwise. 0.19.5 leaves timed_out null on every failure, a timeout included (its
// error_msg says so: "Timeout of N ms reached. ..."); pg_net sets the flag from 0.19.6 on.
// Hosts are checked before every hop (first request and each redirect), so a refused host never
// receives a request.

import type { FetchLike, QueuedRequest, ResponseRow } from "./types.ts";

/** pg_net 0.19.5 is the version the stand-in matches; sent as User-Agent like pg_net does. */
const STANDIN_USER_AGENT = "pg_net/0.19.5 (audio-queue stand-in)";

/** libcurl's follow limit is larger, but ten hops is far beyond any redirect chain we expect. */
const MAX_REDIRECTS = 10;

/** Newer pg_net refuses timeouts outside 1..max_timeout_ms instead of waiting forever; the cap
 * also bounds how long stopping the dispatcher can take. 5 minutes covers any Edge Function. */
const MAX_TIMEOUT_MS = 300_000;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface SendOptions {
  fetch: FetchLike;
  allowHost: (host: string) => boolean;
  /** Aborted when the dispatcher stops; the request is recorded as failed. */
  stopSignal: AbortSignal;
}

/** A failed request's row as pg_net 0.19.5 writes it: its id and error_msg, nothing else. */
function failure(id: string, errorMsg: string): ResponseRow {
  return {
    id,
    statusCode: null,
    contentType: null,
    headers: null,
    content: null,
    timedOut: null,
    errorMsg,
  };
}

/** pg_net's message for a curl timeout (src/errors.c, detailed_timeout_strerror), times in ms
 * printed as C's %f. fetch does not time the phases, so all of it is counted as the HTTP request's
 * (on loopback, DNS and the TCP handshake take next to nothing). */
function timeoutMessage(timeoutMs: number, totalMs: number): string {
  const total = totalMs.toFixed(6);
  const none = (0).toFixed(6);
  return `Timeout of ${timeoutMs} ms reached. Total time: ${total} ms (DNS time: ${none} ms, ` +
    `TCP/SSL handshake time: ${none} ms, HTTP Request/Response time: ${total} ms)`;
}

function requestHeaders(request: QueuedRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value === null || value === undefined) continue;
    headers.append(name, typeof value === "string" ? value : JSON.stringify(value));
  }
  if (!headers.has("user-agent")) headers.set("user-agent", STANDIN_USER_AGENT);
  return headers;
}

/** Postgres text cannot hold NUL; pg_net keeps the body up to the first one (a C string). */
function asContent(text: string): string | null {
  const end = text.indexOf("\u0000");
  const kept = end === -1 ? text : text.slice(0, end);
  return kept === "" ? null : kept;
}

async function toResponseRow(id: string, response: Response): Promise<ResponseRow> {
  const content = asContent(await response.text());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return {
    id,
    statusCode: response.status,
    contentType: response.headers.get("content-type"),
    headers,
    content,
    timedOut: false,
    errorMsg: null,
  };
}

function refusal(request: QueuedRequest, host: string): ResponseRow {
  return failure(
    request.id,
    `pg_net stand-in refused to send request ${request.id} to host "${host}": only loopback ` +
      "hosts (127.0.0.0/8, localhost, ::1) are allowed; pass allowHost to startNetDispatcher " +
      "to allow others",
  );
}

/** Sends `request` (following redirects) and returns the row to record. Never throws. */
export async function sendRequest(
  request: QueuedRequest,
  options: SendOptions,
): Promise<ResponseRow> {
  const { id, timeoutMs } = request;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    return failure(
      id,
      `timeout_milliseconds must be between 1 and ${MAX_TIMEOUT_MS}, got ${timeoutMs}`,
    );
  }
  let headers: Headers;
  try {
    headers = requestHeaders(request);
  } catch (error) {
    return failure(id, `invalid request header: ${(error as Error).message}`);
  }

  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const signal = AbortSignal.any([deadline.signal, options.stopSignal]);
  const startedAt = performance.now();
  let method = request.method.toUpperCase();
  let body: Uint8Array<ArrayBuffer> | null = request.body;
  try {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return failure(id, `URL using bad/illegal format or missing URL: ${request.url}`);
    }
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        return failure(id, `Unsupported protocol ${url.protocol} (only http and https)`);
      }
      if (!options.allowHost(url.hostname)) return refusal(request, url.hostname);
      if (method === "GET" && body !== null) {
        return failure(id, "the pg_net stand-in cannot send a GET request with a body");
      }
      const response = await options.fetch(url, {
        method,
        headers,
        body,
        redirect: "manual",
        signal,
      });
      const location = response.headers.get("location");
      if (!REDIRECT_STATUSES.has(response.status) || location === null) {
        return await toResponseRow(id, response);
      }
      await response.body?.cancel();
      // Like libcurl: 303 always, and 301/302 after a POST, continue as a GET without body.
      if (response.status === 303 || (method === "POST" && response.status <= 302)) {
        method = "GET";
        body = null;
        headers.delete("content-type");
      }
      url = new URL(location, url);
    }
    return failure(id, `Maximum (${MAX_REDIRECTS}) redirects followed`);
  } catch (error) {
    if (deadline.signal.aborted) {
      return failure(id, timeoutMessage(timeoutMs, performance.now() - startedAt));
    }
    if (options.stopSignal.aborted) {
      return failure(id, "the pg_net stand-in dispatcher stopped before the request finished");
    }
    return failure(id, error instanceof Error ? error.message : String(error));
  } finally {
    clearTimeout(timer);
  }
}
