// Permits across workers, on the real database: a permit freed at commit is announced on
// audio.permit_channel() and one handed on to the next segment in the same call
// (audio.end_and_begin) is not; and a worker waiting for the only permit gets it from another
// worker's release through that announcement, with its poll period far longer than the test.
import assert from "node:assert/strict";
import { PERMIT_CHANNEL } from "../../supabase/functions/_shared/config.ts";
import type { WorkerReport } from "../../supabase/functions/_shared/worker/pool.ts";
import { addWords, createBatch, waitForBatch } from "../helpers/batches.ts";
import { startTestStack, waitFor } from "../helpers/stack.ts";

const GRADE = 94; // words of this file's own, apart from the sample vocabulary
const HOLDER = "worker-test";

Deno.test("a freed permit is announced at commit; a permit handed on in the same call is not", async () => {
  const stack = await startTestStack();
  const heard: string[] = [];
  const listening = await stack.sql.listen(PERMIT_CHANNEL, (payload) => heard.push(payload));
  try {
    const ids = await addWords(stack.sql, GRADE, ["harbor", "lantern"]);
    await createBatch(stack.sql, { wordIds: ids });
    const claimed = await stack.sql`
      select segment_id, msg_id from audio.claim_gated(2, 30, 5, ${HOLDER}, 60) order by segment_id`;
    const [first, second] = claimed.map((r) => ({
      id: Number(r.segment_id),
      msg: Number(r.msg_id),
    }));
    const [begun] = await stack.sql`
      select * from audio.begin_gated_attempt(${first.id}, ${first.msg}, ${HOLDER}, 3, 60, 600)`;
    assert.equal(begun.outcome, "go");
    const [handed] = await stack.sql`
      select * from audio.end_and_begin(${begun.slot}::integer, ${HOLDER}, ${first.id}, true,
        ${second.id}, ${second.msg}, 3, 60, 600)`;
    assert.deepEqual({ ...handed }, { live: true, outcome: "go", slot: begun.slot });
    await stack
      .sql`select audio.end_attempt(${handed.slot}::integer, ${HOLDER}, ${second.id}, true)`;
    // Notifications arrive in commit order: once the release's is here, the hand-off's would be.
    await waitFor("the release's notification", () => heard.length > 0, 10_000);
    assert.deepEqual(heard, [String(handed.slot)], "one notification: the release's");
  } finally {
    await listening.unlisten();
    await stack.close();
  }
});

Deno.test("one permit, two workers: the waiting worker is woken by the other's release, not its poll", async () => {
  // A poll period of ten minutes: only the announcement can wake the waiting worker in time.
  const NEVER_MS = 600_000;
  const stack = await startTestStack({
    settings: { AUDIO_GENERATION_CONCURRENCY: "1" },
    standin: { latencyMeanMs: 1000, latencySpread: 0 },
  });
  const stopB = new AbortController();
  try {
    const ids = await addWords(stack.sql, GRADE, ["anchor", "beacon"]);
    const batch = await createBatch(stack.sql, { wordIds: ids });
    // Each worker holds one segment at most: no buffer beyond its one slot.
    const config = { prefetch: 0, permitPollMs: NEVER_MS, permitListenPollMs: NEVER_MS };
    const a = stack.worker(config);
    await waitFor("worker A's permit", async () => {
      const [r] = await stack
        .sql`select count(*)::int as n from audio.permits where holder is not null`;
      return r.n === 1;
    });
    const b = stack.worker({ ...config, stopSignal: stopB.signal });
    // B has claimed the other segment (and, before that, started listening).
    await waitFor("worker B's claim", async () => {
      const [r] = await stack.sql`select count(*)::int as n from pgmq.q_audio_segments
        where read_ct > 0 and vt > now()`;
      return r.n === 2;
    });
    await waitForBatch(stack.sql, batch.batch_id, ["completed"], 30_000);
    const reports: WorkerReport[] = await Promise.all([a, b]);
    assert.deepEqual(reports.map((r) => r.done), [1, 1], "each worker generated its own segment");
    const requests = stack.cartesia.stats().requests.filter((r) => r.status === 200);
    assert.equal(requests.length, 2);
    assert.ok(requests[1].start >= requests[0].end!, "B's request started after A's ended");
    assert.equal(stack.cartesia.stats().maxInFlight, 1);
  } finally {
    stopB.abort();
    await stack.close();
  }
});
