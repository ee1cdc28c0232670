// How the client reaches the Edge Functions. By default through supabase.functions.invoke, so the
// app's own session (or its accessToken callback) signs every request; with functionsUrl, plain
// fetch to that base with the headers given. Either way: JSON in, JSON out, AudioQueueError on
// failure.

import { AudioQueueError, errorFromBody } from "./errors.ts";
import type { FunctionsLike } from "./supabase_like.ts";

export type Method = "GET" | "POST";

/** One request: path below /functions/v1 (e.g. "admin-api/batches?limit=20"). */
export type Transport = (
  method: Method,
  path: string,
  body?: Record<string, unknown>,
) => Promise<{
  status: number;
  body: unknown;
}>;

function networkError(path: string, err: unknown): AudioQueueError {
  const why = err instanceof Error ? err.message : String(err);
  return new AudioQueueError(
    0,
    "network",
    `${path}: no answer (${why}); check the network and that the Supabase URL in /admin/config.js is right`,
  );
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Transport over supabase-js's functions client. */
export function invokeTransport(functions: FunctionsLike): Transport {
  return async (method, path, body) => {
    const { data, error, response } = await functions.invoke(path, {
      method,
      ...(body ? { body } : {}),
    });
    if (!error) return { status: response?.status ?? 200, body: data };
    // FunctionsHttpError / FunctionsRelayError carry the Response; FunctionsFetchError does not.
    const res = response ??
      (typeof error === "object" && error !== null && "context" in error &&
          error.context instanceof Response
        ? error.context
        : undefined);
    if (!res) throw networkError(path, error);
    throw errorFromBody(res.status, await readBody(res), path);
  };
}

interface FetchTransportOptions {
  /** Base URL, e.g. "https://<ref>.supabase.co/functions/v1". */
  functionsUrl: string;
  /** The project's anon (publishable) key, sent as apikey. */
  anonKey: string;
  /** The user's JWT, sent as Authorization: Bearer. */
  accessToken: () => Promise<string | null> | string | null;
  fetch?: typeof fetch;
}

/** Transport over fetch, for functions hosted at another base URL. */
export function fetchTransport(opts: FetchTransportOptions): Transport {
  const base = opts.functionsUrl.replace(/\/+$/, "");
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  return async (method, path, body) => {
    const token = await opts.accessToken();
    const headers: Record<string, string> = { apikey: opts.anonKey };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await doFetch(`${base}/${path}`, {
        method,
        headers,
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw networkError(path, err);
    }
    const parsed = await readBody(res);
    if (!res.ok) throw errorFromBody(res.status, parsed, path);
    return { status: res.status, body: parsed };
  };
}
