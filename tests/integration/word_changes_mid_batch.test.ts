// A word deleted and another's text edited while their batch runs, with real workers: the batch
// still ends (completed), its counters equal its rows (audio.batch_counter_drift), no message is
// left in the queue, the workers end cleanly, and the edited word's audio shows stale rather than
// passing for its new text.
import assert from "node:assert/strict";
import { assertBackgroundClean, startTestStack, waitFor } from "../helpers/stack.ts";
import { createBatch, waitForBatch } from "../helpers/batches.ts";

// Ten words of three kinds: 30 segments, enough that the last words are still queued when the
// first few are done (3 requests at a time, ~150 ms each).
const WORDS = 10;
const GRADE = 71; // a grade of this test's own: the seed's words are not in the batch

Deno.test("a word deleted and another edited mid-batch: the batch ends and its counters equal its rows", async () => {
  const stack = await startTestStack({ standin: { latencyMeanMs: 150, latencySpread: 0.1 } });
  try {
    const ids = (await stack.sql<{ id: string }[]>`
      insert into public.words (word, definition, example_sentence, grade)
      select 'word ' || n, 'definition ' || n, 'Sentence number ' || n || '.', ${GRADE}
      from generate_series(1, ${WORDS}) as n
      returning id`).map((r) => r.id);
    const batch = await createBatch(stack.sql, { grade: GRADE }, {
      kinds: ["word", "definition", "sentence"],
    });
    assert.equal(batch.total, WORDS * 3);
    // The words whose segments come last in the queue (messages are claimed in segment order,
    // which need not follow the insert order): the deleted one still has work when it goes.
    const byQueueOrder = (await stack.sql<{ word_id: string }[]>`
      select word_id from public.audio_segments where batch_id = ${batch.batch_id}
      group by word_id order by min(id) desc`).map((r) => r.word_id);
    assert.equal(byQueueOrder.length, ids.length);
    const [deleted, edited] = byQueueOrder;
    const worker = stack.worker();

    await waitFor(
      "a few segments done",
      async () => {
        const [b] = await stack
          .sql`select done from public.audio_batches where id = ${batch.batch_id}`;
        return b.done >= 3;
      },
      60_000,
      10,
    );
    const pendingOfDeleted = await stack.sql.begin(async (tx) => {
      const [{ n }] = await tx`select count(*)::int as n from public.audio_segments
        where word_id = ${deleted} and status in ('queued', 'generating')`;
      await tx`delete from public.words where id = ${deleted}`;
      await tx`update public.words set definition = 'an edited definition' where id = ${edited}`;
      return n;
    });
    assert.ok(pendingOfDeleted > 0, "the deleted word still had work in the batch");

    const row = await waitForBatch(stack.sql, batch.batch_id, ["completed"]);
    const report = await worker;
    assert.equal(report.errors, 0, "the worker met no unexpected error");
    assert.equal(report.failed, 0, "no segment failed");
    await assertBackgroundClean(stack);

    assert.equal(row.total, WORDS * 3 - 3, "the deleted word's three segments left the total");
    assert.equal(row.done, row.total);
    assert.deepEqual([...await stack.sql`select * from audio.batch_counter_drift()`], []);
    const [{ left }] = await stack.sql`select count(*)::int as left from pgmq.q_audio_segments`;
    assert.equal(left, 0, "no message left in the queue");

    // The edited definition's audio speaks the old text: word_audio says so (stale).
    const [audio] = await stack.sql`select wa.text_hash = s.text_hash as current
      from public.word_audio as wa join audio.segment_sources as s using (word_id, kind)
      where wa.word_id = ${edited} and wa.kind = 'definition'`;
    assert.equal(audio.current, false, "the edited definition shows stale");
    const [{ n: current }] = await stack.sql`select count(*)::int as n
      from public.word_audio as wa join audio.segment_sources as s using (word_id, kind)
      where s.grade = ${GRADE} and wa.text_hash = s.text_hash`;
    assert.equal(current, (WORDS - 1) * 3 - 1, "every other segment of a kept word is current");
  } finally {
    await stack.close();
  }
});
