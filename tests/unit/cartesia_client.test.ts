// Unit tests of the Cartesia provider client against the in-process stand-in (ephemeral port):
// request shape, retries and backoff (recorded by an injected sleep, never timed), Retry-After,
// timeouts, aborts, per-key limits. (The content address and text hash: audio_format.test.ts.)

import assert from "node:assert/strict";
import { isAbortError } from "../../supabase/functions/_shared/abort.ts";
import { createCartesiaClient } from "../../supabase/functions/_shared/provider/cartesia.ts";
import { ProviderError } from "../../supabase/functions/_shared/provider/provider_error.ts";
import type { CartesiaClientOptions } from "../../supabase/functions/_shared/provider/types.ts";
import {
  backoffDelayMs,
  parseRetryAfter,
} from "../../supabase/functions/_shared/provider/backoff.ts";
import {
  type CartesiaStandin,
  type CartesiaStandinOptions,
  okKey,
  startCartesiaStandin,
} from "../../local/cartesia/server.ts";
import { waitForStats } from "../../local/cartesia/wait.ts";
import { readWav } from "../../local/cartesia/wav_reader.ts";
import { STRICT, test } from "../helpers/strict.ts";

const VOICE = "a0e99841-438c-4a64-b679-ae501e7d6091";
const KEY = "sk_car_test_0123456789";

/** A sleep that returns at once and remembers what it was asked for. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: (ms: number) => (delays.push(ms), Promise.resolve()) };
}

function clientFor(standin: CartesiaStandin | string, over: Partial<CartesiaClientOptions> = {}) {
  return createCartesiaClient({
    baseUrl: typeof standin === "string" ? standin : standin.url,
    apiKey: KEY,
    version: "2026-03-01",
    modelId: "sonic-2",
    outputFormat: { container: "wav", encoding: "pcm_s16le", sampleRate: 24000 },
    language: "en",
    timeoutMs: 10_000,
    random: () => 0.5, // jitter ×1.0
    sleep: recordingSleep().sleep,
    ...over,
  });
}

async function withStandin(
  opts: Partial<CartesiaStandinOptions>,
  fn: (s: CartesiaStandin) => Promise<void>,
): Promise<void> {
  const standin = await startCartesiaStandin({ keys: { [KEY]: "pro" }, latencyScale: 0, ...opts });
  try {
    await fn(standin);
  } finally {
    await standin.close();
  }
}

test("synthesize: a valid WAV at the configured rate, longer text → longer audio", async () => {
  await withStandin({}, async (s) => {
    const client = clientFor(s);
    const short = await client.synthesize({ transcript: "cat", voiceId: VOICE });
    const long = await client.synthesize({
      transcript: "The cat sat quietly on the warm windowsill.",
      voiceId: VOICE,
    });
    assert.equal(short.contentType, "audio/wav");
    assert.deepEqual([short.attempts, short.rateLimited], [1, 0]);
    const a = readWav(short.bytes);
    const b = readWav(long.bytes);
    assert.equal(a.sampleRate, 24000);
    assert.equal(a.bitsPerSample, 16);
    assert.ok(b.durationMs > a.durationMs, `${b.durationMs} > ${a.durationMs}`);
    assert.equal(s.stats().okByTranscript[okKey(VOICE, "cat")], 1);
  });
});

test("request: URL, headers and JSON body as Cartesia expects", async () => {
  await withStandin({}, async (s) => {
    const seen: Request[] = [];
    const client = clientFor(`${s.url}/`, {
      fetch: (input, init) => {
        seen.push(new Request(input, init));
        return fetch(input, init);
      },
    });
    await client.synthesize({ transcript: "Bonjour", voiceId: VOICE });
    assert.equal(seen.length, 1);
    const req = seen[0];
    assert.equal(req.method, "POST");
    assert.equal(req.url, `${s.url}/tts/bytes`);
    assert.equal(req.headers.get("cartesia-version"), "2026-03-01");
    assert.equal(req.headers.get("authorization"), `Bearer ${KEY}`);
    assert.equal(req.headers.get("x-api-key"), null);
    assert.match(req.headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual(await req.json(), {
      model_id: "sonic-2",
      transcript: "Bonjour",
      voice: { mode: "id", id: VOICE },
      output_format: { container: "wav", encoding: "pcm_s16le", sample_rate: 24000 },
      language: "en",
    });
  });
});

test("mp3: output_format carries bit_rate and no encoding; bytes are MPEG", async () => {
  const seen: unknown[] = [];
  const fakeMp3 = new Uint8Array([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0]);
  const client = createCartesiaClient({
    baseUrl: "http://127.0.0.1:9",
    apiKey: KEY,
    version: "2026-03-01",
    modelId: "sonic-2",
    outputFormat: { container: "mp3", encoding: "pcm_s16le", sampleRate: 44100, bitRate: 128000 },
    language: "en",
    timeoutMs: 1000,
    fetch: (_input, init) => {
      seen.push(JSON.parse(String(init?.body)));
      return Promise.resolve(
        new Response(fakeMp3, { headers: { "content-type": "audio/mpeg" } }),
      );
    },
  });
  const out = await client.synthesize({ transcript: "hi", voiceId: VOICE });
  assert.deepEqual(out.bytes, fakeMp3);
  assert.deepEqual((seen[0] as { output_format: unknown }).output_format, {
    container: "mp3",
    sample_rate: 44100,
    bit_rate: 128000,
  });
});

async function hasLame(): Promise<boolean> {
  try {
    const cmd = new Deno.Command("lame", { args: ["--version"], stdout: "null", stderr: "null" });
    return (await cmd.output()).success;
  } catch {
    return false;
  }
}

Deno.test({
  ...STRICT,
  name: "mp3 end to end through the stand-in (when lame is installed): MPEG bytes",
  ignore: !(await hasLame()),
  fn: async () => {
    await withStandin({}, async (s) => {
      const out = await clientFor(s, {
        outputFormat: {
          container: "mp3",
          encoding: "pcm_s16le",
          sampleRate: 22050,
          bitRate: 64000,
        },
      }).synthesize({ transcript: "an mp3 please", voiceId: VOICE });
      assert.equal(out.contentType, "audio/mpeg");
      const b = out.bytes;
      const id3 = String.fromCharCode(b[0], b[1], b[2]) === "ID3";
      assert.ok(id3 || (b[0] === 0xff && (b[1] & 0xe0) === 0xe0), `starts ${b[0]} ${b[1]}`);
    });
  },
});

test("older API version: X-API-Key header and plain-text errors are understood", async () => {
  await withStandin({}, async (s) => {
    const client = clientFor(s, { version: "2024-11-13" });
    const ok = await client.synthesize({ transcript: "old", voiceId: VOICE });
    assert.equal(readWav(ok.bytes).sampleRate, 24000);
    const err = await client.synthesize({ transcript: "old", voiceId: " " }).catch((e) => e);
    assert.ok(err instanceof ProviderError);
    assert.equal(err.kind, "rejected");
    assert.match(err.message, /^Cartesia answered 400: Invalid request: voice\.id: required/);
  });
});

test("429 then success: retried once, counted as rate limited", async () => {
  await withStandin({ rate429: 1 }, async (s) => {
    const rec = recordingSleep();
    const client = clientFor(s, { sleep: rec.sleep });
    const out = await client.synthesize({
      transcript: "retry me",
      voiceId: VOICE,
      onRetry: () => s.configure({ rate429: 0 }),
    });
    assert.deepEqual([out.attempts, out.rateLimited], [2, 1]);
    assert.deepEqual(rec.delays, [1000]);
    assert.deepEqual(s.stats().byStatus, { "200": 1, "429": 1 });
  });
});

test("Retry-After is honoured when longer than the backoff, and capped", async () => {
  await withStandin({ rate429: 1, retryAfterS: 7 }, async (s) => {
    const rec = recordingSleep();
    const retries: Array<number | undefined> = [];
    await clientFor(s, { sleep: rec.sleep }).synthesize({
      transcript: "wait",
      voiceId: VOICE,
      onRetry: (info) => {
        retries.push(info.retryAfterMs);
        s.configure({ rate429: 0 });
      },
    });
    assert.deepEqual(rec.delays, [7000]);
    assert.deepEqual(retries, [7000]);

    s.configure({ rate429: 1 });
    const capped = recordingSleep();
    await clientFor(s, { sleep: capped.sleep, maxBackoffMs: 5000 }).synthesize({
      transcript: "wait",
      voiceId: VOICE,
      onRetry: () => s.configure({ rate429: 0 }),
    });
    assert.deepEqual(capped.delays, [5000]);
  });
});

test("parseRetryAfter: seconds, fractions, HTTP dates, garbage", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  assert.equal(parseRetryAfter("7", now), 7000);
  assert.equal(parseRetryAfter(" 1.5 ", now), 1500);
  assert.equal(parseRetryAfter("Wed, 01 Jan 2025 00:00:03 GMT", now), 3000);
  assert.equal(parseRetryAfter("Tue, 31 Dec 2024 23:59:00 GMT", now), 0);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

test("backoff: base·2^k with ±20 % jitter, Retry-After wins when larger, then the cap", () => {
  const d = (retryIndex: number, r: number, retryAfterMs?: number, maxBackoffMs = 60_000) =>
    backoffDelayMs({
      retryIndex,
      backoffBaseMs: 1000,
      maxBackoffMs,
      retryAfterMs,
      random: () => r,
    });
  assert.deepEqual([d(0, 0.5), d(1, 0.5), d(2, 0.5)], [1000, 2000, 4000]);
  assert.deepEqual([d(1, 0), d(1, 1)], [1600, 2400]);
  assert.equal(d(0, 0.5, 500), 1000);
  assert.equal(d(0, 0.5, 9000), 9000);
  assert.equal(d(5, 0.5, undefined, 10_000), 10_000);
});

test("5xx is retried with 1 s → 2 s → 4 s and gives up after maxRetries", async () => {
  await withStandin({ rate5xx: 1 }, async (s) => {
    const rec = recordingSleep();
    const err = await clientFor(s, { sleep: rec.sleep }).synthesize({
      transcript: "server down",
      voiceId: VOICE,
    }).catch((e) => e);
    assert.ok(err instanceof ProviderError);
    assert.equal(err.kind, "exhausted");
    assert.equal(err.attempts, 4);
    assert.ok([500, 502, 503].includes(err.status ?? 0), String(err.status));
    assert.deepEqual(rec.delays, [1000, 2000, 4000]);
    assert.equal(s.stats().totalRequests, 4);
  });
});

test("5xx then success", async () => {
  await withStandin({ rate5xx: 1 }, async (s) => {
    const out = await clientFor(s).synthesize({
      transcript: "flaky",
      voiceId: VOICE,
      onRetry: () => s.configure({ rate5xx: 0 }),
    });
    assert.deepEqual([out.attempts, out.rateLimited], [2, 0]);
  });
});

test("maxRetries bounds the attempts: maxRetries + 1 requests, no more", async () => {
  await withStandin({ rate429: 1 }, async (s) => {
    const err = await clientFor(s, { maxRetries: 2 }).synthesize({
      transcript: "never",
      voiceId: VOICE,
    }).catch((e) => e);
    assert.ok(err instanceof ProviderError);
    assert.deepEqual([err.kind, err.attempts, err.rateLimited, err.status], [
      "exhausted",
      3,
      3,
      429,
    ]);
    assert.equal(s.stats().totalRequests, 3);
  });
});

test("a 400 is not retried and carries the provider's message", async () => {
  await withStandin({}, async (s) => {
    const rec = recordingSleep();
    const err = await clientFor(s, { sleep: rec.sleep }).synthesize({
      transcript: "bad voice",
      voiceId: "",
    }).catch((e) => e);
    assert.ok(err instanceof ProviderError);
    assert.deepEqual([err.kind, err.status, err.attempts], ["rejected", 400, 1]);
    assert.match(err.message, /voice\.id: required, a non-empty string/);
    assert.deepEqual(rec.delays, []);
    assert.equal(s.stats().totalRequests, 1);
  });
});

test("401 is not retried; the API key never appears in messages", async () => {
  await withStandin({ keys: { "other-key": "pro" } }, async (s) => {
    const err = await clientFor(s).synthesize({ transcript: "x", voiceId: VOICE }).catch((e) => e);
    assert.ok(err instanceof ProviderError);
    assert.deepEqual([err.kind, err.status, err.attempts], ["rejected", 401, 1]);
    assert.ok(!err.message.includes(KEY));
  });
  const echo = createCartesiaClient({
    baseUrl: "http://127.0.0.1:9",
    apiKey: KEY,
    version: "2026-03-01",
    modelId: "sonic-2",
    outputFormat: { container: "wav", encoding: "pcm_s16le", sampleRate: 24000 },
    language: "en",
    timeoutMs: 1000,
    fetch: () =>
      Promise.resolve(
        Response.json({ title: "Bad key", message: `key ${KEY} is revoked` }, { status: 403 }),
      ),
  });
  const result = await echo.attempt({ transcript: "x", voiceId: VOICE });
  assert.equal(result.ok, false);
  assert.ok(!result.ok && !result.message.includes(KEY) && result.message.includes("[redacted]"));
  assert.ok(!result.ok && result.retryable === false);
});

test("a 200 that is not audio is a retryable failure", async () => {
  const client = createCartesiaClient({
    baseUrl: "http://127.0.0.1:9",
    apiKey: KEY,
    version: "2026-03-01",
    modelId: "sonic-2",
    outputFormat: { container: "wav", encoding: "pcm_s16le", sampleRate: 24000 },
    language: "en",
    timeoutMs: 1000,
    fetch: () => Promise.resolve(new Response("<html>proxy</html>", { status: 200 })),
  });
  const result = await client.attempt({ transcript: "x", voiceId: VOICE });
  assert.deepEqual([result.ok, !result.ok && result.retryable], [false, true]);
});

test("timeout: one attempt ends as retryable and the stand-in sees the client leave", async () => {
  await withStandin({ hangRate: 1 }, async (s) => {
    const result = await clientFor(s, { timeoutMs: 100 }).attempt({
      transcript: "x",
      voiceId: VOICE,
    });
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.retryable);
    assert.ok(!result.ok && /timeoutMs=100/.test(result.message));
    await waitForStats(s, (st) => st.inFlight === 0 && st.abandoned === 1, {
      what: "hung request released",
    });
  });
});

test("network error (nothing listening) is retryable", async () => {
  const gone = await startCartesiaStandin({ keys: { [KEY]: "pro" } });
  await gone.close();
  const result = await clientFor(gone).attempt({ transcript: "x", voiceId: VOICE });
  assert.equal(result.ok, false);
  assert.ok(!result.ok && result.retryable && result.status === undefined);
  assert.ok(!result.ok && /network error/.test(result.message));
});

test("abort during the request: AbortError at once, not a provider error", async () => {
  await withStandin({ hangRate: 1 }, async (s) => {
    const controller = new AbortController();
    // timeoutMs is long: had the abort not worked, this would end as a ProviderError instead.
    const pending = clientFor(s, { timeoutMs: 60_000, maxRetries: 0 })
      .synthesize({ transcript: "cancel me", voiceId: VOICE, signal: controller.signal })
      .catch((e) => e);
    await waitForStats(s, (st) => st.inFlight === 1, { what: "request in flight" });
    controller.abort();
    const err = await pending;
    assert.ok(isAbortError(err), String(err));
    assert.ok(!(err instanceof ProviderError));
    await waitForStats(s, (st) => st.inFlight === 0 && st.abandoned === 1);
  });
});

test("abort during the backoff sleep (real sleep): AbortError, no further attempt", async () => {
  await withStandin({ rate429: 1 }, async (s) => {
    const controller = new AbortController();
    const client = clientFor(s, { sleep: undefined, backoffBaseMs: 60_000 });
    const err = await client.synthesize({
      transcript: "x",
      voiceId: VOICE,
      signal: controller.signal,
      onRetry: () => setTimeout(() => controller.abort(), 0),
    }).catch((e) => e);
    assert.ok(isAbortError(err), String(err));
    assert.equal(s.stats().totalRequests, 1);
  });
});

test("an already-aborted signal sends nothing", async () => {
  await withStandin({}, async (s) => {
    const signal = AbortSignal.abort();
    await assert.rejects(
      () => clientFor(s).attempt({ transcript: "x", voiceId: VOICE, signal }),
      (e: unknown) => isAbortError(e),
    );
    assert.equal(s.stats().totalRequests, 0);
  });
});

test("aroundAttempt wraps each request, never the backoff sleeps", async () => {
  await withStandin({ rate429: 1 }, async (s) => {
    const events: string[] = [];
    const client = clientFor(s, {
      sleep: (ms) => (events.push(`sleep ${ms}`), Promise.resolve()),
    });
    await client.synthesize({
      transcript: "permit",
      voiceId: VOICE,
      aroundAttempt: async (fn) => {
        events.push("acquire");
        try {
          return await fn();
        } finally {
          events.push("release");
        }
      },
      onRetry: () => s.configure({ rate429: 0 }),
    });
    assert.deepEqual(events, ["acquire", "release", "sleep 1000", "acquire", "release"]);
  });
});

test("per-key limit through the client: 429 above the plan, maxInFlight = limit", async () => {
  await withStandin({ keys: { [KEY]: "free" }, hangRate: 1 }, async (s) => {
    const client = clientFor(s, { timeoutMs: 60_000 });
    const controller = new AbortController();
    const hung = [1, 2].map(() =>
      client.attempt({ transcript: "hold", voiceId: VOICE, signal: controller.signal })
        .catch((e) => e)
    );
    await waitForStats(s, (st) => st.inFlight === 2, { what: "two requests in flight" });
    // A short timeout of its own: were the limit broken, this request would hang, not get 429.
    const third = await clientFor(s, { timeoutMs: 5000 }).attempt({
      transcript: "third",
      voiceId: VOICE,
    });
    assert.equal(third.ok, false);
    assert.ok(!third.ok && third.status === 429 && third.retryable);
    assert.ok(!third.ok && /concurrency/.test(third.message));
    controller.abort();
    for (const r of await Promise.all(hung)) assert.ok(isAbortError(r));
    const st = await waitForStats(s, (x) => x.inFlight === 0);
    assert.equal(st.maxInFlight, 2);
  });
});

test("createCartesiaClient names every bad option", () => {
  assert.throws(
    () =>
      createCartesiaClient({
        baseUrl: "api.cartesia.ai",
        apiKey: "",
        version: "latest",
        modelId: "sonic-2",
        outputFormat: { container: "mp3", encoding: "pcm_s16le", sampleRate: 44100 },
        language: "english",
        timeoutMs: 0,
      }),
    (err: Error) =>
      ["baseUrl", "apiKey", "version", "outputFormat.bitRate", "language", "timeoutMs"].every((f) =>
        err.message.includes(`${f}:`)
      ),
  );
});
