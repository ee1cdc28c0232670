// Unit tests of the Cartesia stand-in, started in-process on an ephemeral port: the request
// validation, per-key concurrency, faults, latency draw, real audio, control routes, and the
// CLI's settings. Every test closes what it starts; no wall-clock assertions.

import assert from "node:assert/strict";
import { linearToAlaw, linearToMulaw } from "../../local/cartesia/g711.ts";
import { decide, DEFAULT_FAULTS } from "../../local/cartesia/faults.ts";
import {
  type CartesiaStandin,
  type CartesiaStandinOptions,
  okKey,
  startCartesiaStandin,
} from "../../local/cartesia/server.ts";
import { standinOptionsFromEnv } from "../../local/cartesia/settings.ts";
import { RenderedAudio } from "../../local/cartesia/render.ts";
import { MAX_REQUEST_LOG, StatsTracker } from "../../local/cartesia/stats.ts";
import { waitForStats } from "../../local/cartesia/wait.ts";
import { readWav } from "../../local/cartesia/wav_reader.ts";
import { STRICT, test } from "../helpers/strict.ts";

const VOICE = "a0e99841-438c-4a64-b679-ae501e7d6091";
const KEY = "test-key";

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model_id: "sonic-2",
    transcript: "Hello world",
    voice: { mode: "id", id: VOICE },
    output_format: { container: "wav", encoding: "pcm_s16le", sample_rate: 44100 },
    language: "en",
    ...overrides,
  };
}

function post(
  standin: CartesiaStandin,
  opts: {
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  } = {},
): Promise<Response> {
  return fetch(`${standin.url}/tts/bytes`, {
    method: "POST",
    headers: {
      "Cartesia-Version": "2026-03-01",
      Authorization: `Bearer ${KEY}`,
      "Content-Type": "application/json",
      ...opts.headers,
    },
    body: opts.rawBody ?? JSON.stringify(opts.body ?? body()),
    signal: opts.signal,
  });
}

async function bytesOf(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

/** Starts a quiet, instant stand-in, runs `fn`, and always closes it. */
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

/**
 * Aborts a request that must be answered at once after a generous bound, so a regression
 * (say, the request hanging instead of getting 429) fails the test instead of stalling it.
 */
function deadline(ms = 5000): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${ms} ms`)), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

async function hasLame(): Promise<boolean> {
  try {
    const out = await new Deno.Command("lame", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return out.success;
  } catch {
    return false;
  }
}
const LAME = await hasLame();

test("wav s16le: real RIFF header, requested rate, duration follows the transcript", async () => {
  await withStandin({}, async (s) => {
    const short = await post(s, { body: body({ transcript: "Hello world" }) });
    assert.equal(short.status, 200);
    assert.equal(short.headers.get("content-type"), "audio/wav");
    const a = readWav(await bytesOf(short));
    assert.equal(a.formatTag, 1);
    assert.equal(a.channels, 1);
    assert.equal(a.sampleRate, 44100);
    assert.equal(a.bitsPerSample, 16);
    assert.ok(Math.abs(a.durationMs - 11 * 55) < 1, `duration ${a.durationMs}`);

    const long = await post(s, {
      body: body({ transcript: "Hello world, and a much longer sentence." }),
    });
    const b = readWav(await bytesOf(long));
    assert.ok(b.durationMs > a.durationMs, "a longer transcript gives longer audio");
  });
});

test("wav: every encoding and sample rate decodes with the right format tag", async () => {
  const expected = { pcm_s16le: [1, 16], pcm_f32le: [3, 32], pcm_mulaw: [7, 8], pcm_alaw: [6, 8] };
  await withStandin({}, async (s) => {
    for (const [encoding, [tag, bits]] of Object.entries(expected)) {
      for (const rate of [8000, 22050, 48000]) {
        const res = await post(s, {
          body: body({ output_format: { container: "wav", encoding, sample_rate: rate } }),
        });
        assert.equal(res.status, 200, `${encoding}@${rate}`);
        const info = readWav(await bytesOf(res));
        assert.deepEqual([info.formatTag, info.bitsPerSample, info.sampleRate], [tag, bits, rate]);
        assert.ok(Math.abs(info.durationMs - 605) < 1, `${encoding}@${rate}: ${info.durationMs}`);
      }
    }
  });
});

test("audio is deterministic and clamped to 300 ms … 20 s", async () => {
  await withStandin({}, async (s) => {
    const one = await bytesOf(await post(s, { body: body({ transcript: "a" }) }));
    const again = await bytesOf(await post(s, { body: body({ transcript: "a" }) }));
    assert.deepEqual(one, again);
    assert.ok(Math.abs(readWav(one).durationMs - 300) < 1);
    const huge = await bytesOf(await post(s, { body: body({ transcript: "x".repeat(5000) }) }));
    assert.ok(Math.abs(readWav(huge).durationMs - 20_000) < 1);
  });
});

test("rendered audio is answered again for the same duration, voice and format, not synthesised", async () => {
  await withStandin({}, async (s) => {
    const first = await bytesOf(await post(s, { body: body({ transcript: "Hello world" }) }));
    assert.deepEqual(s.rendered(), { hits: 0, renders: 1, bytes: first.length });
    // Another text of the same length lasts as long: the same audio, from the cache, every time.
    for (const transcript of ["Dlrow olleh", "Hello world"]) {
      assert.deepEqual(await bytesOf(await post(s, { body: body({ transcript }) })), first);
    }
    assert.equal(s.rendered().hits, 2);
    assert.equal(s.rendered().renders, 1);
    // Anything the audio depends on renders anew: the duration, the rate, the voice, the encoding.
    const others = [
      body({ transcript: "Hello, world" }),
      body({ output_format: { container: "wav", encoding: "pcm_s16le", sample_rate: 22050 } }),
      body({ voice: { mode: "id", id: "b0e99841-438c-4a64-b679-ae501e7d6091" } }),
      body({ output_format: { container: "wav", encoding: "pcm_f32le", sample_rate: 44100 } }),
      body({ output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 44100 } }),
    ];
    for (const other of others) {
      assert.notDeepEqual(await bytesOf(await post(s, { body: other })), first);
    }
    assert.equal(s.rendered().renders, 1 + others.length);
    assert.equal(s.rendered().hits, 2);
  });
  // The cached answer is what a stand-in that never rendered it answers.
  await withStandin({}, async (fresh) => {
    const once = await bytesOf(await post(fresh, { body: body({ transcript: "Dlrow olleh" }) }));
    assert.deepEqual(fresh.rendered(), { hits: 0, renders: 1, bytes: once.length });
    assert.equal(readWav(once).durationMs.toFixed(0), "605");
  });
});

test("rendered audio cache: the least recently used entries go once the bound is held", () => {
  const cache = new RenderedAudio(100);
  const bytes = (n: number) => new Uint8Array(n);
  cache.put("a", bytes(60));
  cache.put("b", bytes(30));
  assert.equal(cache.bytes, 90);
  assert.ok(cache.get("a"), "a kept");
  cache.put("c", bytes(30)); // 120 > 100: b, used least recently, goes
  assert.equal(cache.bytes, 90);
  assert.equal(cache.get("b"), undefined);
  assert.equal(cache.get("a")?.length, 60);
  assert.equal(cache.get("c")?.length, 30);
  cache.put("huge", bytes(101)); // larger than the bound: answered, never kept
  assert.equal(cache.get("huge"), undefined);
  assert.equal(cache.bytes, 90);
  assert.equal(cache.renders, 4);
  assert.equal(cache.hits, 3);
});

test("raw container: the same PCM without a header, as octet-stream", async () => {
  await withStandin({}, async (s) => {
    const res = await post(s, {
      body: body({
        output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 16000 },
      }),
    });
    assert.equal(res.headers.get("content-type"), "application/octet-stream");
    const bytes = await bytesOf(res);
    assert.equal(bytes.length, Math.round(0.605 * 16000) * 2);
    assert.notEqual(String.fromCharCode(...bytes.subarray(0, 4)), "RIFF");
  });
});

Deno.test({
  ...STRICT,
  name: "mp3 via lame: audio/mpeg starting with an ID3 tag or an MPEG frame sync",
  ignore: !LAME,
  fn: async () => {
    await withStandin({}, async (s) => {
      const res = await post(s, {
        body: body({ output_format: { container: "mp3", sample_rate: 44100, bit_rate: 128000 } }),
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "audio/mpeg");
      const b = await bytesOf(res);
      const id3 = String.fromCharCode(b[0], b[1], b[2]) === "ID3";
      const sync = b[0] === 0xff && (b[1] & 0xe0) === 0xe0;
      assert.ok(id3 || sync, `first bytes ${b[0]} ${b[1]}`);
      assert.ok(b.length > 1000);
    });
  },
});

test("mp3 without lame: 400 saying mp3 is unavailable", async () => {
  for (const lameCommand of ["/nonexistent/lame", null]) {
    await withStandin({ lameCommand }, async (s) => {
      const res = await post(s, {
        body: body({ output_format: { container: "mp3", sample_rate: 44100, bit_rate: 128000 } }),
      });
      assert.equal(res.status, 400);
      const err = await res.json();
      assert.match(err.message, /mp3 is unavailable in the stand-in/);
    });
  }
});

test("Cartesia-Version: missing or unknown → 400 naming the header", async () => {
  await withStandin({}, async (s) => {
    const missing = await fetch(`${s.url}/tts/bytes`, {
      method: "POST",
      headers: { Authorization: `Bearer ${KEY}` },
      body: JSON.stringify(body()),
    });
    assert.equal(missing.status, 400);
    assert.match((await missing.json()).message, /Cartesia-Version/);
    const unknown = await post(s, { headers: { "Cartesia-Version": "2023-01-01" } });
    assert.equal(unknown.status, 400);
    assert.match((await unknown.json()).message, /Cartesia-Version "2023-01-01"/);
  });
});

test("API key: Bearer and X-API-Key accepted; missing or unknown → 401", async () => {
  await withStandin({}, async (s) => {
    const bearer = await post(s);
    assert.equal(bearer.status, 200);
    await bearer.body?.cancel();
    const xApiKey = await post(s, { headers: { Authorization: "", "X-API-Key": KEY } });
    assert.equal(xApiKey.status, 200);
    await xApiKey.body?.cancel();
    const missing = await post(s, { headers: { Authorization: "" } });
    assert.equal(missing.status, 401);
    assert.match((await missing.json()).message, /Authorization: Bearer/);
    const unknown = await post(s, { headers: { Authorization: "Bearer nope" } });
    assert.equal(unknown.status, 401);
    await unknown.body?.cancel();
  });
});

test("body validation: each bad field gets 400/422 naming it", async () => {
  const cases: Array<[string, { body?: unknown; rawBody?: string }, number, RegExp]> = [
    ["invalid JSON", { rawBody: "{nope" }, 400, /not valid JSON/],
    ["missing model_id", { body: body({ model_id: undefined }) }, 400, /model_id/],
    ["empty transcript", { body: body({ transcript: "  " }) }, 400, /transcript/],
    ["voice mode", { body: body({ voice: { mode: "embedding", id: VOICE } }) }, 422, /voice\.mode/],
    ["voice id", { body: body({ voice: { mode: "id" } }) }, 400, /voice\.id/],
    [
      "container",
      {
        body: body({
          output_format: { container: "ogg", encoding: "pcm_s16le", sample_rate: 44100 },
        }),
      },
      422,
      /output_format\.container/,
    ],
    [
      "sample_rate",
      {
        body: body({
          output_format: { container: "wav", encoding: "pcm_s16le", sample_rate: 12345 },
        }),
      },
      422,
      /output_format\.sample_rate/,
    ],
    [
      "mp3 bit_rate",
      { body: body({ output_format: { container: "mp3", sample_rate: 44100 } }) },
      400,
      /output_format\.bit_rate/,
    ],
    ["language", { body: body({ language: "english" }) }, 422, /language/],
  ];
  await withStandin({}, async (s) => {
    for (const [name, req, status, pattern] of cases) {
      const res = await post(s, req);
      assert.equal(res.status, status, name);
      const err = await res.json();
      assert.match(err.message, pattern, name);
    }
    assert.equal(s.stats().okByTranscript[okKey(VOICE, "Hello world")], undefined);
  });
});

test("error bodies: JSON from 2026-03-01, plain 'Title: Message' before", async () => {
  await withStandin({}, async (s) => {
    const json = await post(s, { body: body({ transcript: "" }) });
    const err = await json.json();
    assert.deepEqual(Object.keys(err).sort(), ["error_code", "message", "request_id", "title"]);
    assert.equal(err.error_code, null);
    assert.match(err.request_id, /^[0-9a-f-]{36}$/);
    const text = await post(s, {
      body: body({ transcript: "" }),
      headers: { "Cartesia-Version": "2024-11-13" },
    });
    assert.match(text.headers.get("content-type") ?? "", /text\/plain/);
    assert.equal(await text.text(), "Invalid request: transcript: must not be empty");
  });
});

test("routes: unknown path 404, wrong method 405", async () => {
  await withStandin({}, async (s) => {
    const notFound = await fetch(`${s.url}/tts/nope`, { method: "POST" });
    assert.equal(notFound.status, 404);
    await notFound.body?.cancel();
    const wrong = await fetch(`${s.url}/tts/bytes`);
    assert.equal(wrong.status, 405);
    await wrong.body?.cancel();
  });
});

test("per-key limit: 429 at once above the plan, maxInFlight never above it", async () => {
  await withStandin(
    { keys: { [KEY]: "free", other: 1 }, hangRate: 1 },
    async (s) => {
      const hung = [new AbortController(), new AbortController()];
      const pending = hung.map((c) => post(s, { signal: c.signal }).catch((e: Error) => e));
      await waitForStats(s, (st) => st.inFlight === 2, { what: "two hung requests" });

      for (let i = 0; i < 3; i++) {
        const guard = deadline();
        const res = await post(s, { signal: guard.signal }).finally(guard.clear);
        assert.equal(res.status, 429);
        const err = await res.json();
        assert.equal(err.error_code, "concurrency_limited");
        assert.match(err.message, /concurrency limit of 2/);
      }
      s.configure({ hangRate: 0 });
      const otherKey = await post(s, { headers: { Authorization: "Bearer other" } });
      assert.equal(otherKey.status, 200, "another key has its own limit");
      await otherKey.body?.cancel();

      for (const c of hung) c.abort();
      for (const r of await Promise.all(pending)) assert.ok(r instanceof Error);
      const st = await waitForStats(s, (x) => x.inFlight === 0 && x.abandoned === 2, {
        what: "hung requests released",
      });
      assert.equal(st.maxInFlightByKey[KEY], 2);
      assert.equal(st.maxInFlightByKey.other, 1);
      assert.equal(st.maxInFlight, 3, "the two hung requests plus the other key's one");
      // The refused requests were at the stand-in too: a client sent 3 at once on KEY.
      assert.equal(st.maxAtOnceByKey[KEY], 3);
      assert.equal(st.maxAtOnceByKey.other, 1);
      assert.equal(st.rateLimited, 3);
      assert.equal(st.byStatus["429"], 3);
    },
  );
});

test("burst above the limit: answers are 200 or 429 and maxInFlight ≤ limit", async () => {
  await withStandin(
    { keys: { [KEY]: 3 }, latencyMeanMs: 200, latencySpread: 0, latencyScale: 1 },
    async (s) => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => post(s, { body: body({ transcript: `word ${i}` }) })),
      );
      for (const r of results) await r.body?.cancel();
      const statuses = results.map((r) => r.status);
      assert.ok(statuses.every((x) => x === 200 || x === 429), statuses.join(","));
      const st = s.stats();
      assert.ok(st.maxInFlight <= 3, `maxInFlight ${st.maxInFlight}`);
      assert.equal(st.rateLimited, statuses.filter((x) => x === 429).length);
      assert.equal(st.inFlight, 0);
    },
  );
});

test("a client leaving during the latency wait frees the slot and the timer", async () => {
  await withStandin({ latencyMeanMs: 60_000, latencySpread: 0, latencyScale: 1 }, async (s) => {
    const controller = new AbortController();
    const pending = post(s, { signal: controller.signal }).catch((e: Error) => e);
    await waitForStats(s, (st) => st.inFlight === 1, { what: "one slow request" });
    controller.abort();
    assert.ok((await pending) instanceof Error);
    const st = await waitForStats(s, (x) => x.inFlight === 0 && x.abandoned === 1);
    assert.equal(st.byStatus["200"], undefined, "no audio was generated for it");
  });
});

test("close() ends hung requests instead of waiting for them", async () => {
  const s = await startCartesiaStandin({ keys: { [KEY]: "pro" }, hangRate: 1 });
  const pending = post(s).then(async (r) => {
    await r.body?.cancel();
    return r.status;
  }, (e: Error) => e);
  await waitForStats(s, (st) => st.inFlight === 1, { what: "one hung request" });
  await s.close();
  const outcome = await pending;
  assert.ok(outcome instanceof Error || outcome === 499, String(outcome));
  assert.equal(s.stats().abandoned, 1);
});

test("rate429 with retryAfterS: 429 with Retry-After, counted as rate limited", async () => {
  await withStandin({ rate429: 1, retryAfterS: 3 }, async (s) => {
    const res = await post(s);
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "3");
    await res.body?.cancel();
    assert.equal(s.stats().rateLimited, 1);
    assert.equal(s.stats().maxInFlight, 0, "an injected 429 never takes a slot");
  });
});

test("storm429Ms: every request 429 until the window closes (injected clock)", async () => {
  let clock = 1_000_000;
  await withStandin({ now: () => clock }, async (s) => {
    s.configure({ storm429Ms: 5000 });
    for (let i = 0; i < 3; i++) {
      const res = await post(s);
      assert.equal(res.status, 429);
      await res.body?.cancel();
    }
    clock += 5001;
    const after = await post(s);
    assert.equal(after.status, 200);
    await after.body?.cancel();
    assert.deepEqual(
      s.stats().requests.map((r) => [r.start, r.status]),
      [[1_000_000, 429], [1_000_000, 429], [1_000_000, 429], [1_005_001, 200]],
    );
  });
});

test("rate5xx: 500, 502 or 503 depending on where the draw falls", async () => {
  let draws: number[] = [];
  const random = () => draws.shift() ?? 0.99;
  await withStandin({ rate5xx: 1, random }, async (s) => {
    for (const [r5xx, status] of [[0.1, 500], [0.5, 502], [0.9, 503]]) {
      draws = [0.99, r5xx, 0.99, 0.99, 0.5];
      const res = await post(s);
      assert.equal(res.status, status);
      await res.body?.cancel();
    }
  });
});

test("latency draw: mean ± spread, scaled, plus absolute slowMs", () => {
  const cfg = { ...DEFAULT_FAULTS, latencyMeanMs: 1000, latencySpread: 0.3, latencyScale: 1 };
  const at = (draws: number[], c = cfg) => {
    const queue = [...draws];
    return decide(c, () => queue.shift() ?? 0);
  };
  assert.deepEqual(at([0.9, 0.9, 0.9, 0.9, 0]), { kind: "answer", delayMs: 700 });
  assert.deepEqual(at([0.9, 0.9, 0.9, 0.9, 1]), { kind: "answer", delayMs: 1300 });
  assert.deepEqual(at([0.9, 0.9, 0.9, 0.9, 0.5], { ...cfg, latencyScale: 0.01 }), {
    kind: "answer",
    delayMs: 10,
  });
  const slow = { ...cfg, latencyScale: 0, slowRate: 0.5, slowMs: 4000 };
  assert.deepEqual(at([0.9, 0.9, 0.9, 0.1, 0.5], slow), { kind: "answer", delayMs: 4000 });
  assert.deepEqual(at([0.1, 0, 0, 0, 0], { ...cfg, rate429: 0.2 }), { kind: "rate429" });
  assert.deepEqual(at([0.9, 0.9, 0.1, 0, 0], { ...cfg, hangRate: 0.2 }), { kind: "hang" });
});

test("stats: okByTranscript per voice+text, start times, reset", async () => {
  let clock = 42;
  await withStandin({ now: () => clock }, async (s) => {
    for (const t of ["one", "two", "one"]) {
      await (await post(s, { body: body({ transcript: t }) })).body?.cancel();
      clock++;
    }
    const st = s.stats();
    assert.equal(st.totalRequests, 3);
    assert.deepEqual(st.okByTranscript, { [okKey(VOICE, "one")]: 2, [okKey(VOICE, "two")]: 1 });
    assert.deepEqual(st.requests, [
      { key: KEY, text: okKey(VOICE, "one"), start: 42, end: 42, status: 200 },
      { key: KEY, text: okKey(VOICE, "two"), start: 43, end: 43, status: 200 },
      { key: KEY, text: okKey(VOICE, "one"), start: 44, end: 44, status: 200 },
    ]);
    assert.deepEqual(st.byStatus, { "200": 3 });
    s.resetStats();
    assert.equal(s.stats().totalRequests, 0);
    assert.deepEqual(s.stats().okByTranscript, {});
  });
});

test("stats: the request log is bounded to the last MAX_REQUEST_LOG", () => {
  const t = new StatsTracker();
  const n = 2 * MAX_REQUEST_LOG + 7;
  for (let i = 0; i < n; i++) t.ended(t.requestStarted(i), 200, i + 1);
  const log = t.snapshot().requests;
  assert.equal(log.length, MAX_REQUEST_LOG);
  assert.deepEqual(log[log.length - 1], {
    key: null,
    text: null,
    start: n - 1,
    end: n,
    status: 200,
  });
  assert.equal(log[0].start, n - MAX_REQUEST_LOG);
});

test("stats: the log times each request on the stand-in's clock, open until answered", async () => {
  let clock = 5_000;
  await withStandin(
    { now: () => clock, hangRate: 1 },
    async (s) => {
      const client = new AbortController();
      const pending = post(s, { signal: client.signal }).catch((e: Error) => e);
      await waitForStats(s, (st) => st.inFlight === 1, { what: "one hung request" });
      assert.deepEqual(s.stats().requests, [{
        key: KEY,
        text: okKey(VOICE, "Hello world"),
        start: 5_000,
        end: null,
        status: null,
      }]);
      clock = 5_250;
      client.abort();
      assert.ok(await pending instanceof Error);
      const st = await waitForStats(s, (x) => x.inFlight === 0, { what: "the request ended" });
      assert.deepEqual(st.requests, [{
        key: KEY,
        text: okKey(VOICE, "Hello world"),
        start: 5_000,
        end: 5_250,
        status: 499,
      }]);
      // A request refused before its key was read is logged without one.
      const res = await post(s, { headers: { Authorization: "Bearer nobody" } });
      assert.equal(res.status, 401);
      await res.body?.cancel();
      assert.deepEqual(s.stats().requests[1], {
        key: null,
        text: null,
        start: 5_250,
        end: 5_250,
        status: 401,
      });
    },
  );
});

test("seed: the n-th request for a text gets the same fault on every run, in any order", async () => {
  const texts = Array.from({ length: 20 }, (_, i) => `text number ${i}`);
  // Each text asked twice, in the given order; the statuses per text and request number.
  const statuses = async (seed: number, order: string[]) => {
    const out: Record<string, number[]> = {};
    await withStandin({ seed, rate5xx: 0.3, rate429: 0.2 }, async (s) => {
      for (const transcript of [...order, ...order]) {
        const res = await post(s, { body: body({ transcript }) });
        (out[transcript] ??= []).push(res.status);
        await res.body?.cancel();
      }
    });
    return out;
  };
  const first = await statuses(7, texts);
  assert.deepEqual(await statuses(7, [...texts].reverse()), first, "order changed the faults");
  assert.notDeepEqual(await statuses(8, texts), first, "another seed drew the same faults");
  // With a seed, a failure test always has failures to check.
  const all = Object.values(first).flat();
  assert.ok(all.some((x) => x >= 500), `no 5xx in ${all}`);
  assert.ok(all.some((x) => x === 429), `no 429 in ${all}`);
  assert.ok(all.some((x) => x === 200), `no 200 in ${all}`);
});

test("HTTP control routes: stats, config (validated), reset — no API key needed", async () => {
  await withStandin({}, async (s) => {
    await (await post(s)).body?.cancel();
    const stats = await (await fetch(`${s.url}/__standin/stats`)).json();
    assert.equal(stats.totalRequests, 1);
    assert.deepEqual(stats.byStatus, { "200": 1 });

    const cfg = await fetch(`${s.url}/__standin/config`, {
      method: "POST",
      body: JSON.stringify({ rate429: 1, retryAfterS: 2 }),
    });
    assert.equal(cfg.status, 200);
    assert.equal((await cfg.json()).rate429, 1);
    const limited = await post(s);
    assert.equal(limited.status, 429);
    await limited.body?.cancel();

    const bad = await fetch(`${s.url}/__standin/config`, {
      method: "POST",
      body: JSON.stringify({ rate429: 5 }),
    });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /rate429/);
    const unknown = await fetch(`${s.url}/__standin/config`, {
      method: "POST",
      body: JSON.stringify({ rate: 1 }),
    });
    assert.equal(unknown.status, 400);
    assert.match((await unknown.json()).error, /rate/);

    const current = await (await fetch(`${s.url}/__standin/config`)).json();
    assert.equal(current.retryAfterS, 2);

    const reset = await fetch(`${s.url}/__standin/reset`, { method: "POST" });
    assert.equal(reset.status, 200);
    await reset.body?.cancel();
    assert.equal(s.stats().totalRequests, 0);
  });
});

test("startCartesiaStandin rejects bad options naming them", async () => {
  await assert.rejects(() => startCartesiaStandin({ keys: {} }), /keys/);
  await assert.rejects(
    () => startCartesiaStandin({ keys: { k: "pro" }, latencySpread: 2 }),
    /latencySpread/,
  );
  await assert.rejects(
    () => startCartesiaStandin({ keys: { k: "gold" as "pro" } }),
    /keys/,
  );
});

test("G.711: known codes for silence and full scale", () => {
  assert.deepEqual([linearToMulaw(0), linearToMulaw(32767), linearToMulaw(-32768)], [
    0xff,
    0x80,
    0x00,
  ]);
  assert.deepEqual([linearToAlaw(0), linearToAlaw(32767), linearToAlaw(-32768)], [
    0xd5,
    0xaa,
    0x2a,
  ]);
});

test("CLI settings: env parsed into options; every bad variable named", () => {
  const opts = standinOptionsFromEnv({
    CARTESIA_STANDIN_PORT: "0",
    CARTESIA_STANDIN_KEYS: "dev-key:pro, other:5",
    CARTESIA_STANDIN_RATE_429: "0.25",
    CARTESIA_STANDIN_LAME: "off",
    CARTESIA_STANDIN_SEED: "42",
  });
  assert.deepEqual(opts.keys, { "dev-key": "pro", other: 5 });
  assert.equal(opts.seed, 42);
  assert.equal(opts.port, 0);
  assert.equal(opts.rate429, 0.25);
  assert.equal(opts.lameCommand, null);
  assert.throws(
    () =>
      standinOptionsFromEnv({
        CARTESIA_STANDIN_SPREAD: "abc",
        CARTESIA_STANDIN_KEYS: "nokey",
        CARTESIA_STANDIN_SEED: "1.5",
      }),
    (err: Error) =>
      /CARTESIA_STANDIN_SPREAD/.test(err.message) && /CARTESIA_STANDIN_KEYS/.test(err.message) &&
      /CARTESIA_STANDIN_SEED/.test(err.message),
  );
});

const MAIN = new URL("../../local/cartesia/main.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;

test("CLI main.ts: a bad setting exits 2 with a message naming the variable", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", "--allow-env", "--allow-run", MAIN],
    cwd: ROOT,
    env: { CARTESIA_STANDIN_RATE_5XX: "1.5", CARTESIA_STANDIN_PORT: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /CARTESIA_STANDIN_RATE_5XX="1\.5"/);
});

test("CLI main.ts: prints the listening line, serves, and stops cleanly on SIGTERM", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", "--allow-env", "--allow-run", MAIN],
    cwd: ROOT,
    env: {
      CARTESIA_STANDIN_PORT: "0",
      CARTESIA_STANDIN_KEYS: `${KEY}:pro`,
      CARTESIA_STANDIN_SCALE: "0",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    // Bounded: the CLI prints one line; 200 chunks is far more than that ever takes.
    for (let i = 0; i < 200 && !text.includes("\n"); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const match = text.match(/^cartesia stand-in listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
    assert.ok(match, `stdout: ${text}`);
    const res = await fetch(`${match[1]}/tts/bytes`, {
      method: "POST",
      headers: { "Cartesia-Version": "2026-03-01", Authorization: `Bearer ${KEY}` },
      body: JSON.stringify(body()),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
  } finally {
    child.kill("SIGTERM");
    await reader.cancel();
  }
  const status = await child.status;
  await stderr;
  assert.equal(status.code, 0);
});

test("rejectKeys: every request is answered 401 as for an unknown key, until switched off", async () => {
  await withStandin({ rejectKeys: true }, async (s) => {
    const refused = await post(s);
    assert.equal(refused.status, 401);
    const body = await refused.json();
    assert.equal(body.title, "Unauthorized");
    assert.equal(body.message, "the API key is not valid");
    s.configure({ rejectKeys: false });
    const accepted = await post(s);
    assert.equal(accepted.status, 200);
    await accepted.body?.cancel();
    assert.deepEqual(s.stats().byStatus, { 200: 1, 401: 1 });
  });
});
