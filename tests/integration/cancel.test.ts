// Cancel from SQL mid-batch: the requests in flight are aborted, no request starts for a segment
// the batch gave up, nothing is left queued or generating, only its done segments have objects,
// the batch ends cancelled, and a second batch running beside it completes. (How fast a cancel
// takes effect is a timing: the benchmark measures it, the tests assert what happened.)
import assert from "node:assert/strict";
import { objectPathFor } from "../helpers/paths.ts";
import { adminHeaders, assertBackgroundClean, startTestStack, waitFor } from "../helpers/stack.ts";
import { waitForBatch } from "../helpers/batches.ts";

Deno.test("cancel_batch stops a running batch, aborts its requests, and leaves the other batch alone", async () => {
  // Requests last 1,080-1,320 ms, ten cancel polls (100 ms here). The cancel commits right after
  // a request of batch A started, so that request still has most of a second to run when a
  // worker next looks: the abort is what ends it, however the other requests happen to line up.
  const stack = await startTestStack({ standin: { latencyMeanMs: 1200, latencySpread: 0.1 } });
  try {
    const a = await stack.call(
      "start-batch",
      { grade: 1, voiceId: "voice-a" },
      adminHeaders(stack),
    );
    const b = await stack.call(
      "start-batch",
      { grade: 2, voiceId: "voice-b", kinds: ["word"] },
      adminHeaders(stack),
    );
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    const workers = Promise.all([stack.worker(), stack.worker()]);

    await waitFor(
      "some of batch A done and a request of it just sent",
      async () => {
        const [r] = await stack.sql`select done from public.audio_batches
          where id = ${String(a.body.batchId)}`;
        const now = Date.now();
        return r.done >= 5 &&
          stack.sent.some((s) => s.voiceId === "voice-a" && now - s.at < 150);
      },
      90_000,
      10,
    );
    const [{ status }] = await stack.sql`select audio.cancel_batch(${
      String(a.body.batchId)
    }::uuid) as status`;
    const cancelledAt = Date.now();
    assert.ok(["cancelling", "cancelled"].includes(status));

    await waitForBatch(stack.sql, String(b.body.batchId));
    await workers;
    await assertBackgroundClean(stack);

    assert.ok(
      stack.sent.some((s) => s.voiceId === "voice-b" && s.at > cancelledAt),
      "batch B kept going",
    );

    const [batchA] = await stack.sql`select * from public.audio_batches where id = ${
      String(a.body.batchId)
    }`;
    assert.equal(batchA.status, "cancelled");
    assert.ok(batchA.cancelled > 0);
    assert.equal(batchA.done + batchA.failed + batchA.cancelled, batchA.total);
    const segsA = await stack.sql<
      {
        status: string;
        attempts: number;
        text_hash: string;
        voice_id: string;
        model_id: string;
        format: string;
      }[]
    >`select status, attempts, text_hash, voice_id, model_id, format from public.audio_segments
      where batch_id = ${String(a.body.batchId)}`;
    assert.deepEqual(segsA.filter((s) => ["queued", "generating"].includes(s.status)), []);

    // Every request for batch A is one of its segments' counted attempts: none started after a
    // worker had given the segment up, none went uncounted.
    const attemptsA = segsA.reduce((sum, s) => sum + s.attempts, 0);
    const requestsA = stack.sent.filter((s) => s.voiceId === "voice-a").length;
    assert.equal(requestsA, attemptsA, "provider requests for batch A = its segments' attempts");
    // The cancel reached requests in flight: the workers abandoned them mid-request.
    assert.ok(stack.cartesia.stats().abandoned > 0, "no request was aborted by the cancel");

    // Nothing of batch A is stored but the audio of its done segments: every object under its
    // voice's prefix is the path of one of them (a cancelled segment has no object).
    const donePaths = new Set(segsA.filter((s) => s.status === "done").map(objectPathFor));
    const root = `${stack.storageRoot}/word-audio/`;
    const stored: string[] = [];
    for await (const f of walk(`${root}voice-a`)) stored.push(f.slice(root.length));
    assert.ok(stored.length > 0, "batch A stored the audio of its done segments");
    assert.deepEqual(stored.filter((p) => !donePaths.has(p)), [], "objects of no done segment");
    const [{ left }] = await stack.sql`select count(*)::int as left from pgmq.q_audio_segments`;
    assert.equal(left, 0);
  } finally {
    await stack.close();
  }
});

async function* walk(dir: string): AsyncGenerator<string> {
  let entries: Deno.DirEntry[] = [];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch {
    return;
  }
  for (const e of entries) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) yield* walk(p);
    else yield p;
  }
}
