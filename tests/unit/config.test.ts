// config.ts: the numbers that depend on each other stay consistent — the heartbeat well inside
// the staleness window, the setting ranges built on the shared limits, defaults that pass their
// own checks and name formats Cartesia offers, and the provider client's defaults the settings'.
import assert from "node:assert/strict";
import {
  CONTAINERS,
  ENCODINGS,
  MP3_BIT_RATES,
  SAMPLE_RATES,
} from "../../supabase/functions/_shared/audio_format.ts";
import {
  DEFAULT_BACKOFF_BASE_MS,
  DEFAULT_MAX_BACKOFF_MS,
  DEFAULT_MAX_READS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_OUTPUT,
  HEARTBEAT_MS,
  INT_SETTINGS,
  MAX_CONCURRENCY,
  UPLOAD_MARGIN_MS,
  WORKER_FRESH_S,
  WORKER_STALE_S,
} from "../../supabase/functions/_shared/config.ts";
import { resolveClientOptions } from "../../supabase/functions/_shared/provider/client_options.ts";

Deno.test("a busy worker's heartbeat stays well inside the staleness window", () => {
  // Several beats may be late (a slow round trip, a long poll) before it counts as gone.
  assert.ok(HEARTBEAT_MS * 3 <= WORKER_STALE_S * 1000);
  // start-batch's freshness is stricter than staleness, yet a busy worker always meets it.
  assert.ok(WORKER_FRESH_S < WORKER_STALE_S);
  assert.ok(HEARTBEAT_MS * 2 <= WORKER_FRESH_S * 1000);
});

Deno.test("the setting ranges are built on the limits the SQL side shares", () => {
  assert.equal(INT_SETTINGS.AUDIO_GENERATION_CONCURRENCY.max, MAX_CONCURRENCY);
  assert.equal(INT_SETTINGS.AUDIO_MAX_READS.default, DEFAULT_MAX_READS);
  for (const [name, r] of Object.entries(INT_SETTINGS)) {
    assert.ok(r.min <= r.default && r.default <= r.max, `${name} default within its range`);
  }
});

Deno.test("the defaults pass their own checks", () => {
  const s = INT_SETTINGS;
  assert.ok(
    s.AUDIO_VISIBILITY_TIMEOUT_S.default * 1000 >=
      s.AUDIO_PROVIDER_TIMEOUT_MS.default + UPLOAD_MARGIN_MS,
    "the default visibility timeout outlasts the default provider timeout and the upload",
  );
  assert.ok(
    s.AUDIO_VISIBILITY_TIMEOUT_S.min * 1000 >= s.AUDIO_PROVIDER_TIMEOUT_MS.min + UPLOAD_MARGIN_MS,
    "the shortest visibility timeout allowed is one that can pass that check",
  );
  // Supabase Free stops an Edge Function at 150 s of wall clock.
  assert.ok(s.AUDIO_WORKER_BUDGET_S.default < 150);
  // A cancel reaches in-flight requests within about a second.
  assert.ok(s.AUDIO_CANCEL_POLL_MS.default < 1000);
});

Deno.test("the default output is a format Cartesia offers", () => {
  assert.ok((CONTAINERS as readonly string[]).includes(DEFAULT_OUTPUT.container));
  assert.ok((ENCODINGS as readonly string[]).includes(DEFAULT_OUTPUT.encoding));
  assert.ok((SAMPLE_RATES as readonly number[]).includes(DEFAULT_OUTPUT.sampleRate));
  assert.ok((MP3_BIT_RATES as readonly number[]).includes(DEFAULT_OUTPUT.bitRate));
});

Deno.test("the provider client's retry defaults are the settings' defaults", () => {
  const o = resolveClientOptions({
    baseUrl: "http://127.0.0.1:1",
    apiKey: "key",
    version: "2025-04-16",
    modelId: "sonic-2",
    outputFormat: { container: "wav", encoding: "pcm_s16le", sampleRate: 44100 },
    language: "en",
    timeoutMs: 1000,
  });
  assert.equal(o.maxRetries, DEFAULT_MAX_RETRIES);
  assert.equal(o.backoffBaseMs, DEFAULT_BACKOFF_BASE_MS);
  assert.equal(o.maxBackoffMs, DEFAULT_MAX_BACKOFF_MS);
  assert.equal(INT_SETTINGS.AUDIO_MAX_RETRIES.default, DEFAULT_MAX_RETRIES);
  assert.equal(INT_SETTINGS.AUDIO_BACKOFF_BASE_MS.default, DEFAULT_BACKOFF_BASE_MS);
  assert.equal(INT_SETTINGS.AUDIO_MAX_BACKOFF_MS.default, DEFAULT_MAX_BACKOFF_MS);
});
