// The Cartesia TTS client used by the worker: attempt() makes exactly one HTTP request with its
// own timeout; synthesize() retries it with exponential backoff and jitter, honouring
// Retry-After, and lets the caller wrap each attempt (to hold a global concurrency permit for
// the request only, never during the backoff sleeps). No globals: fetch, sleep, random and now
// are injectable. Protocol facts are in cartesia_protocol.ts.

import { abortError } from "../abort.ts";
import { contentTypeOf } from "../audio_format.ts";
import { backoffDelayMs, parseRetryAfter } from "./backoff.ts";
import {
  errorCodeOf,
  errorMessage,
  looksLikeContainer,
  redact,
  requestBody,
  requestHeaders,
  ttsBytesUrl,
} from "./cartesia_protocol.ts";
import { resolveClientOptions, type ResolvedOptions } from "./client_options.ts";
import { ProviderError } from "./provider_error.ts";
import { readBody } from "./read_body.ts";
import type {
  AttemptFailure,
  AttemptInput,
  AttemptResult,
  CartesiaClient,
  CartesiaClientOptions,
  SynthesizeInput,
  SynthesizeResult,
} from "./types.ts";

/** Creates a client; throws at once, naming each bad option, if the options are invalid. */
export function createCartesiaClient(options: CartesiaClientOptions): CartesiaClient {
  const o = resolveClientOptions(options);
  return {
    attempt: (input) => attemptOnce(o, input),
    synthesize: (input) => synthesizeWithRetries(o, input),
  };
}

/** Statuses worth retrying: rate limited, request timeout, and every server-side failure. */
function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

async function attemptOnce(o: ResolvedOptions, input: AttemptInput): Promise<AttemptResult> {
  const { signal } = input;
  if (signal?.aborted) throw abortError(signal);
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), o.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
  try {
    const response = await o.fetch(ttsBytesUrl(o.baseUrl), {
      method: "POST",
      headers: requestHeaders(o),
      body: JSON.stringify(requestBody({
        modelId: o.modelId,
        transcript: input.transcript,
        voiceId: input.voiceId,
        outputFormat: o.outputFormat,
        language: o.language,
      })),
      signal: combined,
    });
    return await readAnswer(o, response, signal);
  } catch (err) {
    if (signal?.aborted) throw abortError(signal);
    if (timeout.signal.aborted) {
      return {
        ok: false,
        retryable: true,
        message: `Cartesia did not answer within timeoutMs=${o.timeoutMs}`,
      };
    }
    const text = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      retryable: true,
      message: redact(`network error calling Cartesia: ${text}`, o.apiKey),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** One answer read in full: the audio, or a failure saying whether it is worth retrying.
 * Throws an AbortError when the caller aborted while the body was read. */
async function readAnswer(
  o: ResolvedOptions,
  response: Response,
  signal?: AbortSignal,
): Promise<AttemptResult> {
  if (!response.ok) {
    const bodyText = await response.text();
    if (signal?.aborted) throw abortError(signal);
    const failure: AttemptFailure = {
      ok: false,
      retryable: isRetryableStatus(response.status),
      status: response.status,
      message: errorMessage({ status: response.status, bodyText, apiKey: o.apiKey }),
    };
    const errorCode = errorCodeOf(bodyText);
    if (errorCode !== undefined) failure.errorCode = errorCode;
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), o.now());
    if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
    return failure;
  }
  const bytes = await readBody(response, o.bodyBuffers);
  if (signal?.aborted) throw abortError(signal);
  const container = o.outputFormat.container;
  if (!looksLikeContainer(bytes, container)) {
    return {
      ok: false,
      retryable: true,
      status: response.status,
      message:
        `Cartesia answered ${response.status} but the ${bytes.length} bytes are not ${container} audio`,
    };
  }
  const contentType = response.headers.get("content-type") ?? contentTypeOf(container);
  return { ok: true, bytes, contentType };
}

async function synthesizeWithRetries(
  o: ResolvedOptions,
  input: SynthesizeInput,
): Promise<SynthesizeResult> {
  const { signal, aroundAttempt, onRetry } = input;
  const single = { transcript: input.transcript, voiceId: input.voiceId, signal };
  let attempts = 0;
  let rateLimited = 0;
  for (let retryIndex = 0; retryIndex <= o.maxRetries; retryIndex++) {
    attempts++;
    const run = () => attemptOnce(o, single);
    const result = aroundAttempt ? await aroundAttempt(run) : await run();
    if (result.ok) {
      return { bytes: result.bytes, contentType: result.contentType, attempts, rateLimited };
    }
    if (result.status === 429) rateLimited++;
    if (!result.retryable) {
      throw new ProviderError({
        kind: "rejected",
        status: result.status,
        attempts,
        rateLimited,
        message: result.message,
      });
    }
    if (retryIndex === o.maxRetries) {
      throw new ProviderError({
        kind: "exhausted",
        status: result.status,
        attempts,
        rateLimited,
        message:
          `gave up after ${attempts} attempts (maxRetries=${o.maxRetries}): ${result.message}`,
      });
    }
    const delayMs = backoffDelayMs({
      retryIndex,
      backoffBaseMs: o.backoffBaseMs,
      maxBackoffMs: o.maxBackoffMs,
      retryAfterMs: result.retryAfterMs,
      random: o.random,
    });
    onRetry?.({
      attempt: attempts,
      delayMs,
      status: result.status,
      message: result.message,
      retryAfterMs: result.retryAfterMs,
    });
    if (signal?.aborted) throw abortError(signal);
    await o.sleep(delayMs, signal);
    if (signal?.aborted) throw abortError(signal);
  }
  // Unreachable: the loop returns or throws on its last pass.
  throw new Error("synthesize: retry loop ended without a result");
}
