// Checks createCartesiaClient's options once, up front, and fills the defaults, so a bad setting
// fails at start with its name rather than as a 400 on the first segment.

import { abortableSleep, type SleepFn } from "../abort.ts";
import { formatProblems } from "../audio_format.ts";
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_MAX_BACKOFF_MS, DEFAULT_MAX_RETRIES } from "../config.ts";
import type { BodyBuffers } from "./read_body.ts";
import type { CartesiaClientOptions, FetchLike } from "./types.ts";

export interface ResolvedOptions extends
  Required<
    Omit<CartesiaClientOptions, "fetch" | "sleep" | "random" | "now" | "bodyBuffers">
  > {
  bodyBuffers?: BodyBuffers;
  fetch: FetchLike;
  sleep: SleepFn;
  random: () => number;
  now: () => number;
}

/** Returns the options with defaults, or throws one Error listing every bad field. */
export function resolveClientOptions(opts: CartesiaClientOptions): ResolvedOptions {
  const problems: string[] = [];
  const need = (ok: boolean, msg: string) => {
    if (!ok) problems.push(msg);
  };
  need(
    /^https?:\/\/[^/]/.test(opts.baseUrl ?? ""),
    `baseUrl: must be an http(s) URL, got "${opts.baseUrl}"`,
  );
  need(nonEmpty(opts.apiKey), "apiKey: must be a non-empty string (set CARTESIA_API_KEY)");
  need(
    /^\d{4}-\d{2}-\d{2}$/.test(opts.version ?? ""),
    `version: must be a date like 2025-04-16 (the Cartesia-Version header), got "${opts.version}"`,
  );
  need(nonEmpty(opts.modelId), "modelId: must be a non-empty string such as sonic-2");
  need(
    /^[a-z]{2}$/.test(opts.language ?? ""),
    `language: must be a two-letter code such as "en", got "${opts.language}"`,
  );
  need(positiveInt(opts.timeoutMs), `timeoutMs: must be a positive integer, got ${opts.timeoutMs}`);
  const f = opts.outputFormat;
  if (f === undefined || f === null) {
    problems.push("outputFormat: required ({ container, encoding, sampleRate, bitRate? })");
  } else {
    problems.push(...formatProblems(f));
  }
  const maxRetries = opts.maxRetries ?? DEFAULT_MAX_RETRIES;
  const backoffBaseMs = opts.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const maxBackoffMs = opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  need(
    Number.isInteger(maxRetries) && maxRetries >= 0,
    `maxRetries: must be an integer ≥ 0, got ${maxRetries}`,
  );
  need(
    Number.isFinite(backoffBaseMs) && backoffBaseMs >= 0,
    `backoffBaseMs: must be ≥ 0, got ${backoffBaseMs}`,
  );
  need(
    Number.isFinite(maxBackoffMs) && maxBackoffMs >= 0,
    `maxBackoffMs: must be ≥ 0, got ${maxBackoffMs}`,
  );
  if (problems.length > 0) {
    throw new Error(`createCartesiaClient: invalid options:\n  - ${problems.join("\n  - ")}`);
  }
  return {
    baseUrl: opts.baseUrl,
    apiKey: opts.apiKey,
    version: opts.version,
    modelId: opts.modelId,
    outputFormat: { ...opts.outputFormat },
    language: opts.language,
    timeoutMs: opts.timeoutMs,
    maxRetries,
    backoffBaseMs,
    maxBackoffMs,
    fetch: opts.fetch ?? ((input, init) => fetch(input, init)),
    sleep: opts.sleep ?? abortableSleep,
    random: opts.random ?? Math.random,
    now: opts.now ?? Date.now,
    bodyBuffers: opts.bodyBuffers,
  };
}

function nonEmpty(v: unknown): boolean {
  return typeof v === "string" && v.trim() !== "";
}

function positiveInt(v: unknown): boolean {
  return typeof v === "number" && Number.isInteger(v) && v > 0;
}
