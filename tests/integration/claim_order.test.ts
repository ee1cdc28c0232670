// Who goes first, with a real worker: an admin batch queued while a backfill runs is served before
// the backfill's rest, and two admin batches queued together take turns. Asserted on the order of
// the requests the provider received, never on how long anything took.
import assert from "node:assert/strict";
import { startTestStack, type TestStack, waitFor } from "../helpers/stack.ts";
import { createBatch, TEST_AUDIO, waitForBatch } from "../helpers/batches.ts";

// One slot: the requests reach the provider in the order the worker claimed them, so the order
// asserted is the claims' (with more slots, two requests may overtake each other by a hair).
const ONE_SLOT = { AUDIO_GENERATION_CONCURRENCY: "1" };

// addWords: `count` words of grade `grade` whose texts are `label` and a number (distinct texts,
// so each is one provider request).
async function addWords(stack: TestStack, grade: number, count: number, label: string) {
  await stack.sql`insert into public.words (word, definition, example_sentence, grade)
    select ${label} || ' ' || i, '', '', ${grade}::smallint from generate_series(1, ${count}::int) as i`;
}

// The label of each provider request (its text without the number), in the order sent.
function requestLabels(stack: TestStack): string[] {
  return stack.sent.map((r) => r.transcript.replace(/ \d+$/, ""));
}

Deno.test("an admin batch queued during a backfill goes before the backfill's rest, and the backfill completes", async () => {
  const stack = await startTestStack({
    settings: ONE_SLOT,
    standin: { latencyMeanMs: 10, latencySpread: 0.3 },
  });
  try {
    await addWords(stack, 71, 40, "nightly");
    await addWords(stack, 72, 8, "urgent");
    const backfill = await createBatch(stack.sql, { grade: 71 }, { source: "backfill" });
    const run = stack.worker();
    await waitFor("the backfill under way", async () => {
      const [r] = await stack
        .sql`select done from public.audio_batches where id = ${backfill.batch_id}`;
      return r.done >= 5;
    });
    // In one transaction: first the worker's heartbeat row, which every claim updates before it
    // reads (audio.claim_segments): this waits for a claim under way to commit and holds the next
    // until this commits, so no claim that read before the admin batch existed can still take a
    // message after; then the admin batch; then the backfill messages no claim has read yet
    // (locked, so no claim takes them before this commits). Every claim that takes one of them
    // reads after the admin batch exists.
    const { adminId, unread } = await stack.sql.begin(async (tx) => {
      const held = await tx`select holder from audio.workers for update`;
      assert.ok(held.length > 0, "the worker has a heartbeat row");
      const [a] = await tx`select batch_id from audio.create_batch(p_grade => 72::smallint,
        p_kinds => array['word'], p_voice_id => ${TEST_AUDIO.voiceId},
        p_model_id => ${TEST_AUDIO.modelId}, p_format => ${TEST_AUDIO.format})`;
      const rows = await tx`select s.text from public.audio_segments as s
        join pgmq.q_audio_segments as q on q.msg_id = s.msg_id
        where s.batch_id = ${backfill.batch_id} and q.read_ct = 0 for update of q`;
      return { adminId: String(a.batch_id), unread: new Set(rows.map((r) => String(r.text))) };
    });
    const report = await run;
    await waitForBatch(stack.sql, adminId);
    const finished = await waitForBatch(stack.sql, backfill.batch_id);
    assert.equal(report.errors, 0);

    const sent = stack.sent.map((r) => r.transcript);
    assert.equal(sent.filter((t) => t.startsWith("urgent")).length, 8, "each admin segment once");
    const lastUrgent = sent.findLastIndex((t) => t.startsWith("urgent"));
    const jumped = sent.slice(0, lastUrgent).filter((t) => unread.has(t));
    assert.ok(
      unread.size > 20,
      `the backfill had work left when the admin batch came (${unread.size})`,
    );
    // A claim that takes the admin batch's last messages may fill up with the backfill's next,
    // after them.
    assert.ok(
      jumped.length === 0,
      `backfill segments queued behind the admin batch went before its last: ${jumped.join(",")}`,
    );
    assert.equal(finished.done, 40, "the backfill still completed");
  } finally {
    await stack.close();
  }
});

Deno.test("two admin batches queued together take turns", async () => {
  const stack = await startTestStack({
    settings: ONE_SLOT,
    standin: { latencyMeanMs: 10, latencySpread: 0.3 },
  });
  try {
    await addWords(stack, 73, 12, "first");
    await addWords(stack, 74, 12, "second");
    const a = await createBatch(stack.sql, { grade: 73 });
    const b = await createBatch(stack.sql, { grade: 74 });
    // No claim-ahead: each claim is of one, so which batch it serves is the turn.
    const report = await stack.worker({ prefetch: 0 });
    await waitForBatch(stack.sql, a.batch_id);
    await waitForBatch(stack.sql, b.batch_id);
    assert.equal(report.errors, 0);

    // While both had work left, neither got ahead by more than one (first in, first out: 12).
    const labels = requestLabels(stack);
    const count = { first: 0, second: 0 };
    let most = 0;
    for (const label of labels) {
      if (count.first === 12 || count.second === 12) break;
      count[label as keyof typeof count]++;
      most = Math.max(most, Math.abs(count.first - count.second));
    }
    assert.ok(
      most <= 1,
      `the batches alternated (lead at most 1, was ${most}): ${labels.join(",")}`,
    );
  } finally {
    await stack.close();
  }
});
