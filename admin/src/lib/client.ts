// createAudioQueueClient: typed calls to start-batch, cancel-batch and admin-api. Every method
// either returns the documented body or throws an AudioQueueError (status, code, message,
// fields).

import { BATCH_HISTORY_LIMIT, MAX_SEGMENT_PAGE, MAX_WORD_PAGE } from "./config.ts";
import { AudioQueueError, badResponse, isRecord } from "./errors.ts";
import type { FunctionsHost } from "./supabase_like.ts";
import { fetchTransport, invokeTransport, type Method, type Transport } from "./transport.ts";
import type {
  Batch,
  BatchEstimate,
  CancelBatchResult,
  ConcurrencyLimit,
  GradeSummary,
  Health,
  Me,
  ProviderCircuit,
  ResumeResult,
  RetryFailedResult,
  Segment,
  SegmentKind,
  SegmentQuery,
  StartBatchRequest,
  StartBatchResult,
  WordPage,
  WordQuery,
  WordRow,
} from "./types.ts";

export interface AudioQueueClientOptions {
  /** Base of the Edge Functions when they are not at the supabase client's own
   * `${SUPABASE_URL}/functions/v1`. Requires anonKey and accessToken. */
  functionsUrl?: string;
  /** With functionsUrl: the anon key sent as apikey. */
  anonKey?: string;
  /** With functionsUrl: the user's JWT. */
  accessToken?: () => Promise<string | null> | string | null;
  /** With functionsUrl: the fetch to use (tests). */
  fetch?: typeof fetch;
  /** Replaces both of the above (tests). */
  transport?: Transport;
}

export interface AudioQueueClient {
  startBatch(req: StartBatchRequest): Promise<StartBatchResult>;
  /** What startBatch(req) would queue and what it would take (start-batch's dryRun); writes
   * nothing. */
  estimateBatch(req: StartBatchRequest): Promise<BatchEstimate>;
  cancelBatch(batchId: string): Promise<CancelBatchResult>;
  retryFailed(batchId: string): Promise<RetryFailedResult>;
  listBatches(limit?: number): Promise<Batch[]>;
  getBatch(batchId: string): Promise<Batch>;
  getSegments(batchId: string, query?: SegmentQuery): Promise<Segment[]>;
  me(): Promise<Me>;
  grades(): Promise<GradeSummary[]>;
  /** The first page of a grade's words (wordsPage for search, state and the pages after). */
  words(grade: number): Promise<WordRow[]>;
  /** One page of a grade's words, searched and filtered by the server. */
  wordsPage(query: WordQuery): Promise<WordPage>;
  audioUrl(wordId: string, kind: SegmentKind): Promise<string>;
  health(): Promise<Health>;
  /** The provider circuit: whether generation is paused for an account error, and why. */
  circuit(): Promise<ProviderCircuit>;
  /** Closes the provider circuit at once (the admin fixed the key or added credits). */
  resumeProvider(): Promise<ResumeResult>;
  /** The learned concurrency limit, requests in flight and recent concurrency 429s. */
  concurrencyLimit(): Promise<ConcurrencyLimit>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Throws unless id is a uuid; names the argument so the caller sees which one. */
export function requireUuid(name: string, id: unknown): string {
  if (typeof id !== "string" || !UUID.test(id)) {
    throw new AudioQueueError(
      0,
      "invalid_argument",
      `${name}: not a uuid (got ${JSON.stringify(id)})`,
      [
        { field: name, message: "not a uuid" },
      ],
    );
  }
  return id;
}

function pickTransport(
  supabase: FunctionsHost,
  opts: AudioQueueClientOptions,
): Transport {
  if (opts.transport) return opts.transport;
  if (opts.functionsUrl === undefined) {
    return invokeTransport(supabase.functions);
  }
  if (!opts.anonKey || !opts.accessToken) {
    throw new AudioQueueError(
      0,
      "invalid_options",
      "createAudioQueueClient: with functionsUrl also pass anonKey and accessToken (the user's JWT)",
      [{
        field: opts.anonKey ? "accessToken" : "anonKey",
        message: "required with functionsUrl",
      }],
    );
  }
  return fetchTransport({
    functionsUrl: opts.functionsUrl,
    anonKey: opts.anonKey,
    accessToken: opts.accessToken,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
}

/** The words page's query string (empty search and filter left out, the limit capped). */
function wordParams(query: WordQuery): URLSearchParams {
  const p = new URLSearchParams({ grade: String(Math.trunc(query.grade)) });
  if (query.q?.trim()) p.set("q", query.q.trim());
  if (query.state) p.set("state", query.state);
  if (query.limit !== undefined) {
    p.set("limit", String(Math.max(1, Math.min(Math.trunc(query.limit), MAX_WORD_PAGE))));
  }
  if (query.after) p.set("after", query.after);
  return p;
}

type Build = () => { path: string; body?: Record<string, unknown> };

/** call(method, build, key, expect) over the transport: builds the request (argument errors
 * reject, like server errors), sends it, and returns body[key] (or the whole body), checked to be
 * an object or an array as documented. */
function caller(transport: Transport) {
  return async function call<T>(
    method: Method,
    build: Build,
    key: string | null,
    expect: "object" | "array",
  ): Promise<T> {
    const { path, body } = build();
    const res = await transport(method, path, body);
    const value = key === null ? res.body : isRecord(res.body) ? res.body[key] : undefined;
    const ok = expect === "array" ? Array.isArray(value) : isRecord(value);
    if (!ok) {
      throw badResponse(res.status, path, key ? `{ ${key}: ${expect} }` : `a JSON ${expect}`);
    }
    return value as T;
  };
}

/** The client: one entry per server endpoint, each the call with its path and the shape it
 * answers. A table rather than logic, so it stays one function past 60 lines. */
export function createAudioQueueClient(
  supabase: FunctionsHost,
  opts: AudioQueueClientOptions = {},
): AudioQueueClient {
  const call = caller(pickTransport(supabase, opts));
  const batchPath = (id: string) => `admin-api/batches/${requireUuid("batchId", id)}`;

  return {
    startBatch: (req) =>
      call<StartBatchResult>(
        "POST",
        () => ({ path: "start-batch", body: { ...req } }),
        null,
        "object",
      ),
    estimateBatch: (req) =>
      call<BatchEstimate>(
        "POST",
        () => ({ path: "start-batch", body: { ...req, dryRun: true } }),
        null,
        "object",
      ),
    cancelBatch: (id) =>
      call<CancelBatchResult>(
        "POST",
        () => ({ path: "cancel-batch", body: { batchId: requireUuid("batchId", id) } }),
        null,
        "object",
      ),
    retryFailed: (id) =>
      call<RetryFailedResult>(
        "POST",
        () => ({ path: `${batchPath(id)}/retry`, body: {} }),
        null,
        "object",
      ),
    listBatches: (limit = BATCH_HISTORY_LIMIT) =>
      call<Batch[]>(
        "GET",
        () => ({ path: `admin-api/batches?limit=${Math.trunc(limit)}` }),
        "batches",
        "array",
      ),
    getBatch: (id) => call<Batch>("GET", () => ({ path: batchPath(id) }), "batch", "object"),
    getSegments: (id, query = {}) =>
      call<Segment[]>(
        "GET",
        () => {
          const q = new URLSearchParams();
          if (query.status) q.set("status", query.status);
          if (query.after !== undefined) q.set("after", String(query.after));
          q.set("limit", String(Math.min(query.limit ?? MAX_SEGMENT_PAGE, MAX_SEGMENT_PAGE)));
          return { path: `${batchPath(id)}/segments?${q}` };
        },
        "segments",
        "array",
      ),
    me: () => call<Me>("GET", () => ({ path: "admin-api/me" }), null, "object"),
    grades: () =>
      call<GradeSummary[]>("GET", () => ({ path: "admin-api/grades" }), "grades", "array"),
    words: (grade) =>
      call<WordRow[]>(
        "GET",
        () => ({ path: `admin-api/words?grade=${Math.trunc(grade)}` }),
        "words",
        "array",
      ),
    wordsPage: async (query) => {
      const path = `admin-api/words?${wordParams(query)}`;
      const page = await call<WordPage>("GET", () => ({ path }), null, "object");
      if (!Array.isArray(page.words) || typeof page.total !== "number") {
        throw badResponse(200, path, "{ words: array, nextCursor, total: number }");
      }
      return page;
    },
    health: () => call<Health>("GET", () => ({ path: "admin-api/health" }), "health", "object"),
    circuit: () =>
      call<ProviderCircuit>("GET", () => ({ path: "admin-api/circuit" }), "circuit", "object"),
    concurrencyLimit: () =>
      call<ConcurrencyLimit>("GET", () => ({ path: "admin-api/limit" }), "limit", "object"),
    resumeProvider: () =>
      call<ResumeResult>(
        "POST",
        () => ({ path: "admin-api/circuit/resume", body: {} }),
        null,
        "object",
      ),
    audioUrl: async (wordId, kind) => {
      const res = await call<{ url?: unknown }>(
        "POST",
        () => ({
          path: "admin-api/audio-url",
          body: { wordId: requireUuid("wordId", wordId), kind },
        }),
        null,
        "object",
      );
      if (typeof res.url !== "string") {
        throw badResponse(200, "admin-api/audio-url", "{ url: string }");
      }
      return res.url;
    },
  };
}
