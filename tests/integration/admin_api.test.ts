// admin-api: the admin page's reads and retry, through the gateway with real JWTs.
import assert from "node:assert/strict";
import { createApp } from "../../supabase/functions/_shared/app.ts";
import { startWorker } from "../../supabase/functions/_shared/worker/run.ts";
import {
  adminHeaders,
  assertBackgroundClean,
  startTestStack,
  type TestStack,
} from "../helpers/stack.ts";
import { createBatch } from "../helpers/batches.ts";
import { readWav } from "../../local/cartesia/wav_reader.ts";

async function get(stack: TestStack, path: string, headers = adminHeaders(stack)) {
  const res = await fetch(`${stack.url}/functions/v1/admin-api/${path}`, { headers });
  return { status: res.status, body: await res.json() };
}

Deno.test("admin-api: who may read, word states, batches, segments, signed audio", async () => {
  const stack = await startTestStack({ standin: { latencyMeanMs: 5 } });
  try {
    const user = { authorization: `Bearer ${stack.keys.userJwt}` };
    assert.equal((await get(stack, "me", {})).status, 401);
    assert.deepEqual((await get(stack, "me", user)).body.isAdmin, false);
    assert.deepEqual((await get(stack, "me")).body.isAdmin, true);
    assert.equal((await get(stack, "grades", user)).status, 403, "a non-admin reads nothing");
    assert.equal((await get(stack, "words?grade=abc")).status, 400);
    assert.equal((await get(stack, "words")).body.error.fields[0].field, "grade");

    let words = (await get(stack, "words?grade=5")).body.words;
    assert.ok(words.length > 30);
    assert.ok(
      words.every((w: { segments: Record<string, { state: string }> }) =>
        w.segments.word.state === "missing"
      ),
    );

    const start = await stack.call(
      "start-batch",
      { grade: 5, kinds: ["word"] },
      adminHeaders(stack),
    );
    assert.equal(start.status, 201);
    await stack.worker();
    await assertBackgroundClean(stack);

    words = (await get(stack, "words?grade=5")).body.words;
    assert.ok(
      words.every((w: { segments: Record<string, { state: string }> }) =>
        w.segments.word.state === "ready"
      ),
    );
    assert.ok(
      words.every((w: { segments: Record<string, { state: string }> }) =>
        w.segments.definition.state === "missing"
      ),
    );
    // Change a word's text: its audio is stale now.
    const target = words[0];
    await stack.sql`update public.words set word = word || 's' where id = ${target.id}`;
    const after = (await get(stack, "words?grade=5")).body.words.find((w: { id: string }) =>
      w.id === target.id
    );
    assert.equal(after.segments.word.state, "stale");
    await stack.sql`update public.words set word = left(word, -1) where id = ${target.id}`;

    const grades = (await get(stack, "grades")).body.grades;
    const g5 = grades.find((g: { grade: number }) => g.grade === 5);
    assert.equal(g5.ready, words.length);
    assert.equal(g5.missing, words.length * 2);

    const batches = (await get(stack, "batches?limit=5")).body.batches;
    assert.equal(batches[0].id, start.body.batchId);
    const one = (await get(stack, `batches/${start.body.batchId}`)).body.batch;
    assert.equal(one.status, "completed");
    // The seq of the last message broadcast on batch:<id>, read with the row (the page's seq rule).
    const [sent] = await stack.sql`select seq::int from audio.batch_broadcasts
      where batch_id = ${start.body.batchId as string}`;
    assert.ok(sent.seq > 0);
    assert.equal(one.seq, sent.seq);
    assert.equal((await get(stack, "batches/not-a-uuid")).status, 400);
    assert.equal((await get(stack, "batches/00000000-0000-4000-8000-000000000000")).status, 404);
    const page1 =
      (await get(stack, `batches/${start.body.batchId}/segments?limit=10`)).body.segments;
    const page2 =
      (await get(stack, `batches/${start.body.batchId}/segments?limit=10&after=${page1.at(-1).id}`))
        .body.segments;
    assert.equal(page1.length, 10);
    assert.ok(page2[0].id > page1.at(-1).id);
    assert.equal(
      (await get(stack, `batches/${start.body.batchId}/segments?status=failed`)).body.segments
        .length,
      0,
    );
    assert.equal(
      (await get(stack, `batches/${start.body.batchId}/segments?status=bogus`)).status,
      400,
    );

    const res = await fetch(`${stack.url}/functions/v1/admin-api/audio-url`, {
      method: "POST",
      headers: { ...adminHeaders(stack), "content-type": "application/json" },
      body: JSON.stringify({ wordId: target.id, kind: "word" }),
    });
    const { url } = await res.json();
    assert.equal(res.status, 200);
    const audio = await fetch(url);
    assert.equal(audio.status, 200, "the signed URL plays without any key");
    assert.ok(readWav(new Uint8Array(await audio.arrayBuffer())).durationMs > 0);
    const none = await fetch(`${stack.url}/functions/v1/admin-api/audio-url`, {
      method: "POST",
      headers: { ...adminHeaders(stack), "content-type": "application/json" },
      body: JSON.stringify({ wordId: target.id, kind: "sentence" }),
    });
    assert.equal(none.status, 404);
    await none.body?.cancel();
  } finally {
    await stack.close();
  }
});

Deno.test("admin-api: retry queues a batch's failed segments again and they finish", async () => {
  const stack = await startTestStack({ standin: { latencyMeanMs: 5 } });
  try {
    const words = await stack.sql`select id from public.words order by word limit 4`;
    const batch = await createBatch(stack.sql, { wordIds: words.map((w) => w.id) });
    // Every request answered 5xx and no retries: the four segments fail one by one (a revoked key
    // would not do: an account error stops the line and fails nothing). Four server failures stay
    // under the circuit's threshold of segments in a row, so the line does not stop either.
    stack.cartesia.configure({ rate5xx: 1 });
    const noRetries = createApp(
      { ...stack.app.settings, AUDIO_MAX_RETRIES: 0, AUDIO_CIRCUIT_5XX_SEGMENTS: 5 },
      stack.app.platform,
      stack.sql,
    );
    await startWorker(noRetries, { holder: "failing", config: { idleExitMs: 100 } });
    stack.cartesia.configure({ rate5xx: 0 });
    assert.equal(
      (await get(stack, `batches/${batch.batch_id}`)).body.batch.status,
      "completed_with_errors",
    );

    const retry = await fetch(
      `${stack.url}/functions/v1/admin-api/batches/${batch.batch_id}/retry`,
      {
        method: "POST",
        headers: adminHeaders(stack),
      },
    );
    assert.deepEqual(await retry.json(), { batchId: batch.batch_id, requeued: 4 });
    await stack.worker();
    await assertBackgroundClean(stack);
    const after = (await get(stack, `batches/${batch.batch_id}`)).body.batch;
    assert.equal(after.status, "completed");
    assert.equal(after.done, 4);
    assert.equal(after.failed, 0);

    // A cancelled batch cannot be retried.
    const other = await createBatch(stack.sql, { wordIds: words.map((w) => w.id) }, {
      kinds: ["definition"],
    });
    await stack.sql`select audio.cancel_batch(${other.batch_id}::uuid)`;
    const refused = await fetch(
      `${stack.url}/functions/v1/admin-api/batches/${other.batch_id}/retry`,
      {
        method: "POST",
        headers: adminHeaders(stack),
      },
    );
    assert.equal(refused.status, 409);
    await refused.body?.cancel();
  } finally {
    await stack.close();
  }
});
