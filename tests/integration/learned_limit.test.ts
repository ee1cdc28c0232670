// The learned concurrency limit end to end: the stand-in's plan allows 3 requests in flight, the
// workers are configured for 6. The first requests above the plan are refused for its
// concurrency; the limit drops to what the plan took, those requests wait for a permit instead of
// failing, and no segment fails or spends an attempt on them — with no retries at all, so a
// refusal treated as a failed attempt would fail its segment. The worker's report and admin-api's
// GET /limit show the learned limit.
import assert from "node:assert/strict";
import { adminHeaders, assertBackgroundClean, startTestStack } from "../helpers/stack.ts";
import { createBatch, waitForBatch } from "../helpers/batches.ts";

Deno.test("configured 6 on a plan of 3: no segment fails, the limit is learned as 3 and shown", async () => {
  const stack = await startTestStack({
    settings: { AUDIO_GENERATION_CONCURRENCY: "6", AUDIO_MAX_RETRIES: "0" },
    planLimit: 3,
    standin: { latencyMeanMs: 30, latencySpread: 0.2 },
  });
  try {
    const batch = await createBatch(stack.sql, { grade: 3 }, {
      kinds: ["word", "definition", "sentence"],
    });
    assert.ok(batch.queued >= 12, `a batch that fills 6 slots twice (${batch.queued})`);
    const report = await stack.worker();
    const b = await waitForBatch(stack.sql, batch.batch_id) as { done: number; failed: number };
    await assertBackgroundClean(stack);

    assert.equal(b.failed, 0, "no segment failed");
    assert.equal(b.done, batch.queued);
    const st = stack.cartesia.stats();
    assert.ok(st.byStatus["429"] > 0, "the plan refused requests above it");
    assert.ok((st.maxInFlightByKey["test-key"] ?? 0) <= 3);
    const [{ max_attempts }] = await stack.sql`
      select max(attempts)::int as max_attempts from public.audio_segments
      where batch_id = ${batch.batch_id}`;
    assert.equal(max_attempts, 1, "a concurrency 429 spends no attempt");

    const [learned] = await stack.sql`select effective, limited_at from audio.concurrency_limit`;
    assert.equal(learned.effective, 3, "the limit followed the plan");
    assert.ok(learned.limited_at !== null, "recorded with the time");
    assert.equal(report.limit?.limit, 3);
    assert.equal(report.limit?.ceiling, 6);
    assert.ok((report.limit?.concurrency429s ?? 0) > 0);
    assert.equal(report.failed, 0);

    const res = await fetch(`${stack.url}/functions/v1/admin-api/limit`, {
      headers: adminHeaders(stack),
    });
    assert.equal(res.status, 200);
    const shown = (await res.json()).limit;
    assert.equal(shown.limit, 3);
    assert.equal(shown.ceiling, 6);
    assert.equal(shown.pinned, false);
    assert.equal(shown.inFlight, 0);
    assert.ok(shown.limitedLastMinute > 0);
    const user = await fetch(`${stack.url}/functions/v1/admin-api/limit`, {
      headers: { authorization: `Bearer ${stack.keys.userJwt}` },
    });
    assert.equal(user.status, 403, "admins only");
    await user.body?.cancel();
  } finally {
    await stack.close();
  }
});
