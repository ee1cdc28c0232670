// process-segments logs what went wrong: one JSON line per retry and per failed segment, naming
// the batch, the segment, the attempt and the HTTP status, with the same fields the long-lived
// worker prints.
import assert from "node:assert/strict";
import { assertBackgroundClean, startTestStack } from "../helpers/stack.ts";
import { createBatch } from "../helpers/batches.ts";

Deno.test("every provider attempt answered 5xx: one retry line and one failure line per segment", async () => {
  // One retry allowed, every request answered 5xx: each segment fails after two attempts.
  const stack = await startTestStack({
    settings: { AUDIO_MAX_RETRIES: "1" },
    standin: { latencyMeanMs: 5, rate5xx: 1 },
  });
  try {
    const words = await stack.sql`select id from public.words order by word limit 2`;
    const batch = await createBatch(stack.sql, { wordIds: words.map((w) => w.id) });
    const res = await stack.call("process-segments", { wait: true }, {
      "x-worker-secret": stack.app.settings.AUDIO_WORKER_SECRET,
    });
    assert.equal(res.status, 200);
    await assertBackgroundClean(stack);
    const segments = await stack.sql`select id from public.audio_segments
      where batch_id = ${batch.batch_id} and status = 'failed' order by id`;
    assert.equal(segments.length, 2);

    const lines: Record<string, unknown>[] = stack.logs.map((l) => ({
      message: l.message,
      ...l.fields,
    }));
    for (const { id } of segments) {
      const mine = lines.filter((l) => l.segment === Number(id));
      const retries = mine.filter((l) => l.event === "segment_retry");
      const failures = mine.filter((l) => l.event === "segment_failed");
      assert.equal(retries.length, 1, `one retry line for segment ${id}`);
      assert.equal(failures.length, 1, `one failure line for segment ${id}`);
      assert.equal(retries[0].level, "warn");
      assert.equal(retries[0].batch, batch.batch_id);
      assert.equal(retries[0].attempt, 1);
      assert.match(String(retries[0].status), /^5\d\d$/);
      assert.equal(failures[0].level, "error");
      assert.equal(failures[0].attempt, 2);
      assert.match(String(failures[0].status), /^5\d\d$/);
      assert.ok(String(failures[0].error ?? "").length > 0, "the failure line says why");
    }
  } finally {
    await stack.close();
  }
});
