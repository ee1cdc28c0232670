// POST /tts/bytes in the stand-in: validate like Cartesia, enforce the key's plan concurrency
// (429 at once above it), apply the injected faults and latency, then answer real audio.
// Every wait ends when the client goes away or the stand-in closes, clearing its timer.

import { decide, type FaultAndLatency } from "./faults.ts";
import type { Plans } from "./plans.ts";
import { type ApiError, errorResponse } from "./protocol.ts";
import { renderAudio, type RenderedAudio } from "./render.ts";
import { okKey, type RequestRecord, type StatsTracker } from "./stats.ts";
import { checkApiKey, checkBody, checkVersion } from "./validate.ts";

export interface TtsContext {
  /** API key → concurrent requests allowed, and slots another client holds. */
  plans: Plans;
  stats: StatsTracker;
  faults(): FaultAndLatency;
  stormActive(): boolean;
  /** The source of one request's fault and latency draws. */
  drawsFor(voiceId: string, transcript: string): () => number;
  now(): number;
  lameCommand: string | null;
  /** Audio already rendered, answered again without synthesising it (render.ts). */
  rendered?: RenderedAudio;
  /** Aborted by close(): ends every hanging or sleeping request. */
  closing: AbortSignal;
}

/** A status no real answer uses, for requests whose client left before the answer. */
const ABANDONED_STATUS = 499;

export async function handleTts(request: Request, ctx: TtsContext): Promise<Response> {
  const record = ctx.stats.requestStarted(ctx.now());
  try {
    return await respond(request, ctx, record);
  } finally {
    // A request that threw (the server answers 500 for it) still leaves the stand-in.
    if (record.end === null) ctx.stats.ended(record, 500, ctx.now());
  }
}

async function respond(
  request: Request,
  ctx: TtsContext,
  record: RequestRecord,
): Promise<Response> {
  const answer = (res: Response): Response => {
    ctx.stats.answered(res.status);
    ctx.stats.ended(record, res.status, ctx.now());
    return res;
  };
  const abandoned = (): Response => {
    ctx.stats.abandonedOne();
    ctx.stats.ended(record, ABANDONED_STATUS, ctx.now());
    return new Response(null, { status: ABANDONED_STATUS });
  };

  const version = checkVersion(request.headers);
  if (!version.ok) return answer(errorResponse(version.error, null));
  const key = checkApiKey(request.headers, ctx.plans);
  if (!key.ok) return answer(errorResponse(key.error, version.value));
  if (ctx.faults().rejectKeys) return answer(errorResponse(UNKNOWN_KEY, version.value));
  ctx.stats.keyed(record, key.value);
  let raw: string;
  try {
    raw = await request.text();
  } catch {
    return abandoned();
  }
  const body = checkBody(raw);
  if (!body.ok) return answer(errorResponse(body.error, version.value));
  record.text = okKey(body.value.voiceId, body.value.transcript);

  // Read per request: the plan can change while the stand-in runs.
  const limit = ctx.plans.limit(key.value);
  if (ctx.stats.inFlightFor(key.value) + ctx.plans.otherClient(key.value) >= limit) {
    return answer(errorResponse(concurrencyLimited(limit), version.value));
  }
  const cfg = ctx.faults();
  const decision = decide(cfg, ctx.drawsFor(body.value.voiceId, body.value.transcript));
  if (ctx.stormActive() || decision.kind === "rate429") {
    const headers: Record<string, string> = cfg.retryAfterS === null
      ? {}
      : { "retry-after": String(cfg.retryAfterS) };
    return answer(errorResponse(injected429(ctx.stormActive()), version.value, headers));
  }

  const signal = AbortSignal.any([request.signal, ctx.closing]);
  ctx.stats.acquire(key.value);
  try {
    if (decision.kind === "hang") {
      await untilAborted(signal);
      return abandoned();
    }
    if (!(await pause(decision.delayMs, signal))) return abandoned();
    if (decision.kind === "fail5xx") {
      return answer(errorResponse(serverError(decision.status), version.value));
    }
    const audio = await renderAudio(body.value, ctx.lameCommand, signal, ctx.rendered);
    if (signal.aborted) return abandoned();
    if (!audio.ok) return answer(errorResponse(audio.error, version.value));
    ctx.stats.generated(body.value.voiceId, body.value.transcript);
    return answer(
      new Response(audio.bytes, { status: 200, headers: { "content-type": audio.contentType } }),
    );
  } finally {
    ctx.stats.release(key.value);
  }
}

/** What an unknown key gets (validate.ts), for the rejectKeys fault. */
const UNKNOWN_KEY: ApiError = {
  status: 401,
  errorCode: null,
  title: "Unauthorized",
  message: "the API key is not valid",
};

function concurrencyLimited(limit: number): ApiError {
  return {
    status: 429,
    errorCode: "concurrency_limited",
    title: "Too many concurrent requests",
    message:
      `You have exceeded your plan's concurrency limit of ${limit}; wait for a request to finish before sending another.`,
  };
}

/** The injected 429 stands for a rate limit, not the plan's concurrency: its JSON answer carries a
 * code of its own, so a client can tell the two apart (older versions' plain text cannot). */
function injected429(storm: boolean): ApiError {
  return {
    status: 429,
    errorCode: "rate_limited",
    title: "Too many requests",
    message: storm
      ? "Rate limited (stand-in fault: storm429Ms window is open)."
      : "Rate limited (stand-in fault: rate429).",
  };
}

function serverError(status: 500 | 502 | 503): ApiError {
  const titles = { 500: "Internal server error", 502: "Bad gateway", 503: "Service unavailable" };
  return {
    status,
    errorCode: null,
    title: titles[status],
    message: `Injected server error ${status} (stand-in fault: rate5xx).`,
  };
}

/** Waits `ms`; false if `signal` aborted first. The timer is cleared either way. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Resolves when `signal` aborts; holds no timer. */
function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );
}
