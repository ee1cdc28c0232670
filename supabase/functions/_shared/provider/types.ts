// Types shared by the Cartesia provider client: one attempt's result, the options of
// createCartesiaClient and of synthesize. No logic lives here; the output format's type is in
// audio_format.ts, the sleep's in abort.ts.
import type { SleepFn } from "../abort.ts";
import type { OutputFormat } from "../audio_format.ts";
import type { BodyBuffers } from "./read_body.ts";

/** One HTTP request's outcome. `retryable` failures are worth another attempt later. */
export type AttemptResult =
  | { ok: true; bytes: Uint8Array; contentType: string }
  | {
    ok: false;
    retryable: boolean;
    status?: number;
    message: string;
    retryAfterMs?: number;
    /** The provider's error_code (null when its JSON error has none); absent when the body
     * carried no code (older API versions answer plain text). */
    errorCode?: string | null;
  };

/** The failed-attempt arm of AttemptResult. */
export type AttemptFailure = Extract<AttemptResult, { ok: false }>;

/** Injectable runtime pieces; each has a real default. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface CartesiaClientOptions {
  /** e.g. https://api.cartesia.ai or the stand-in's http://127.0.0.1:54330 (no trailing path). */
  baseUrl: string;
  apiKey: string;
  /** The Cartesia-Version header, a date such as "2025-04-16". */
  version: string;
  modelId: string;
  outputFormat: OutputFormat;
  /** ISO 639-1 code such as "en". */
  language: string;
  /** Upper bound for one request, headers and body together. */
  timeoutMs: number;
  /** Retries after the first attempt (default DEFAULT_MAX_RETRIES in config.ts). */
  maxRetries?: number;
  /** First backoff delay; doubles per retry (default DEFAULT_BACKOFF_BASE_MS). */
  backoffBaseMs?: number;
  /** Cap for any one delay, Retry-After included (default DEFAULT_MAX_BACKOFF_MS). */
  maxBackoffMs?: number;
  fetch?: FetchLike;
  sleep?: SleepFn;
  random?: () => number;
  now?: () => number;
  /** Where answers' bodies are read into, and given back to once stored (read_body.ts). */
  bodyBuffers?: BodyBuffers;
}

export interface AttemptInput {
  transcript: string;
  voiceId: string;
  signal?: AbortSignal;
}

/** What onRetry is told before each backoff sleep. */
interface RetryInfo {
  /** The attempt that just failed, 1-based. */
  attempt: number;
  delayMs: number;
  status?: number;
  message: string;
  retryAfterMs?: number;
}

export interface SynthesizeInput extends AttemptInput {
  /** Wraps each single attempt (not the sleeps), e.g. to hold a global concurrency permit. */
  aroundAttempt?: <T>(fn: () => Promise<T>) => Promise<T>;
  onRetry?: (info: RetryInfo) => void;
}

export interface SynthesizeResult {
  bytes: Uint8Array;
  contentType: string;
  /** HTTP requests made, the successful one included. */
  attempts: number;
  /** How many of those were answered 429. */
  rateLimited: number;
}

export interface CartesiaClient {
  attempt(input: AttemptInput): Promise<AttemptResult>;
  synthesize(input: SynthesizeInput): Promise<SynthesizeResult>;
}
