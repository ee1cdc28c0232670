// The Cartesia stand-in's plans while it runs: a plan cut or raised mid-run takes effect on the
// next request, another client holding a slot of the key counts against the plan, the control
// route changes both, and an injected rate 429 carries a code of its own (not the concurrency
// limit's). The stand-in runs in-process; every test closes what it starts.
import assert from "node:assert/strict";
import { type CartesiaStandin, startCartesiaStandin } from "../../local/cartesia/server.ts";
import { waitForStats } from "../../local/cartesia/wait.ts";
import { test } from "../helpers/strict.ts";

const KEY = "plan-key";

function post(s: CartesiaStandin, signal?: AbortSignal): Promise<Response> {
  return fetch(`${s.url}/tts/bytes`, {
    method: "POST",
    headers: {
      "Cartesia-Version": "2026-03-01",
      Authorization: `Bearer ${KEY}`,
      "Content-Type": "application/json",
    },
    body: JSON.stringify({
      model_id: "sonic-2",
      transcript: "Hello",
      voice: { mode: "id", id: "voice" },
      output_format: { container: "wav", encoding: "pcm_s16le", sample_rate: 44100 },
    }),
    signal,
  });
}

async function withHung(
  fn: (s: CartesiaStandin, hang: (n: number) => Promise<void>) => Promise<void>,
): Promise<void> {
  const s = await startCartesiaStandin({ keys: { [KEY]: 5 }, latencyScale: 0, hangRate: 1 });
  const aborts: AbortController[] = [];
  const pending: Promise<unknown>[] = [];
  const hang = async (n: number) => {
    const before = s.stats().inFlight;
    for (let i = 0; i < n; i++) {
      const c = new AbortController();
      aborts.push(c);
      pending.push(post(s, c.signal).catch((e) => e));
    }
    await waitForStats(s, (st) => st.inFlight === before + n, { what: `${n} hung requests` });
  };
  try {
    await fn(s, hang);
  } finally {
    for (const c of aborts) c.abort();
    await Promise.all(pending);
    await s.close();
  }
}

/** A request that must be answered at once (a refusal): a generous bound, so a regression that
 * lets it through to a hanging answer fails instead of stalling the test. */
function refused(s: CartesiaStandin): Promise<Response> {
  return post(s, AbortSignal.timeout(5000));
}

async function codeOf(res: Response): Promise<[number, string | null]> {
  const body = res.status === 200 ? null : (await res.json()).error_code;
  if (res.status === 200) await res.body?.cancel();
  return [res.status, body];
}

test("a plan cut from 5 to 3 while running: the next request above 3 is refused for concurrency", async () => {
  await withHung(async (s, hang) => {
    await hang(3);
    assert.deepEqual(s.setPlan(KEY, { plan: 3 }), { limit: 3, otherClient: 0 });
    assert.deepEqual(await codeOf(await refused(s)), [429, "concurrency_limited"]);
    s.setPlan(KEY, { plan: "startup" });
    s.configure({ hangRate: 0 });
    assert.deepEqual(await codeOf(await post(s)), [200, null], "raised back to 5: room again");
  });
});

test("another client on one slot: a plan of 3 takes 2 of ours", async () => {
  await withHung(async (s, hang) => {
    s.setPlan(KEY, { plan: "pro", otherClient: 1 });
    await hang(2);
    assert.deepEqual(await codeOf(await refused(s)), [429, "concurrency_limited"]);
    s.setPlan(KEY, { otherClient: 0 });
    s.configure({ hangRate: 0 });
    assert.deepEqual(await codeOf(await post(s)), [200, null], "the other client left");
  });
});

test("POST /__standin/plan changes a key's plan; a bad patch is 400 naming the field", async () => {
  const s = await startCartesiaStandin({ keys: { [KEY]: "pro" }, latencyScale: 0 });
  try {
    const send = (body: unknown) =>
      fetch(`${s.url}/__standin/plan`, { method: "POST", body: JSON.stringify(body) });
    const ok = await send({ key: KEY, plan: 5, otherClient: 1 });
    assert.deepEqual([ok.status, await ok.json()], [200, { limit: 5, otherClient: 1 }]);
    const read = await fetch(`${s.url}/__standin/plan`);
    assert.deepEqual(await read.json(), { [KEY]: { limit: 5, otherClient: 1 } });
    const badKey = await send({ key: "nobody", plan: 3 });
    assert.equal(badKey.status, 400);
    assert.match((await badKey.json()).error, /key: no such key/);
    const badPlan = await send({ key: KEY, plan: 0 });
    assert.equal(badPlan.status, 400);
    assert.match((await badPlan.json()).error, /plan must be/);
  } finally {
    await s.close();
  }
});

test("an injected rate 429 says rate_limited, not concurrency_limited", async () => {
  const s = await startCartesiaStandin({ keys: { [KEY]: "pro" }, latencyScale: 0, rate429: 1 });
  try {
    assert.deepEqual(await codeOf(await post(s)), [429, "rate_limited"]);
  } finally {
    await s.close();
  }
});
