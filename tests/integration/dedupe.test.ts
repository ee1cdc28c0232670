// Identical text is generated once, end to end: words that share one definition, in one batch
// taken by three workers at once, make exactly one provider call for that definition; every other
// segment with it is done as `reused`, pointing at the same object.
import assert from "node:assert/strict";
import { adminHeaders, assertBackgroundClean, startTestStack } from "../helpers/stack.ts";
import { waitForBatch } from "../helpers/batches.ts";

const GRADE = 97; // words of this test's own, apart from the sample vocabulary
const SHARED = "A small animal that is kept as a pet.";
const WORDS = ["kitten", "puppy", "hamster", "rabbit", "goldfish", "parakeet"];

Deno.test("words sharing a definition: one provider call for it, the other segments reused", async () => {
  // Slow enough that the three workers hold the shared text's segments at the same time.
  const stack = await startTestStack({ standin: { latencyMeanMs: 150, latencySpread: 0.2 } });
  try {
    const ids = await stack.sql`
      insert into public.words (word, definition, example_sentence, grade)
      select w, ${SHARED}, 'I have a ' || w || ' at home.', ${GRADE}::smallint
      from unnest(${WORDS}::text[]) as w
      returning id`;
    const res = await stack.call(
      "start-batch",
      { wordIds: ids.map((r) => r.id) },
      adminHeaders(stack),
    );
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.total, WORDS.length * 3);
    // start-batch kicked one worker; two more take the same batch at once.
    const reports = await Promise.all([stack.worker(), stack.worker()]);
    const batchId = String(res.body.batchId);
    await waitForBatch(stack.sql, batchId);
    await assertBackgroundClean(stack);
    assert.ok(reports.every((r) => r.errors === 0), JSON.stringify(reports));

    const calls = stack.sent.filter((s) => s.transcript === SHARED);
    assert.equal(calls.length, 1, "the shared definition was sent to the provider once");
    const shared = await stack.sql`
      select status, reused, storage_path from public.audio_segments
      where batch_id = ${batchId} and kind = 'definition'`;
    assert.equal(shared.length, WORDS.length);
    assert.ok(shared.every((s) => s.status === "done"), JSON.stringify(shared));
    assert.equal(shared.filter((s) => !s.reused).length, 1, "one segment generated it");
    assert.equal(shared.filter((s) => s.reused).length, WORDS.length - 1, "the rest reused it");
    assert.equal(new Set(shared.map((s) => s.storage_path)).size, 1, "one object for the text");

    // Every other text is distinct: one call each, none reused.
    const [{ others, reused }] = await stack.sql`
      select count(*)::int as others, count(*) filter (where reused)::int as reused
      from public.audio_segments where batch_id = ${batchId} and kind <> 'definition'`;
    assert.equal(reused, 0);
    assert.equal(stack.sent.length, others + 1, "one provider call per distinct text");
    const [b] = await stack
      .sql`select done, skipped from public.audio_batches where id = ${batchId}`;
    assert.deepEqual({ ...b }, { done: WORDS.length * 3, skipped: WORDS.length - 1 });
  } finally {
    await stack.close();
  }
});
