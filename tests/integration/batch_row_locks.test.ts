// Two workers handing off across two batches, on the real database: each ends a segment of one
// batch and begins one of the other in a single transaction (what audio.end_and_begin does), in
// opposite orders. Neither may wait for the other: an end locks no batch row, so the two
// transactions hold at most the row of the batch they begin in. When an end still settled its
// batch's status (and so locked the row until commit), Postgres broke the cycle by rolling one of
// them back with "deadlock detected".
import assert from "node:assert/strict";
import { addWords, createBatch } from "../helpers/batches.ts";
import { startTestStack } from "../helpers/stack.ts";

const GRADE = 93; // words of this file's own, apart from the sample vocabulary

interface Seg {
  id: number;
  msg: number;
}

Deno.test("end in one batch and begin in another, two workers crossing: no deadlock, both commit", async () => {
  const stack = await startTestStack();
  try {
    const a = await createBatch(stack.sql, {
      wordIds: await addWords(stack.sql, GRADE, ["quill", "ember"]),
    });
    const b = await createBatch(stack.sql, {
      wordIds: await addWords(stack.sql, GRADE, ["fjord", "thistle"]),
    });
    const claimed = await stack.sql`
      select c.segment_id, c.msg_id, s.batch_id
      from audio.claim_gated(4, 30, 5, 'claimer', 60) as c
      join public.audio_segments as s on s.id = c.segment_id
      order by c.segment_id`;
    assert.equal(claimed.length, 4);
    const of = (batch: string): Seg[] =>
      claimed.filter((r) => r.batch_id === batch).map((r) => ({
        id: Number(r.segment_id),
        msg: Number(r.msg_id),
      }));
    const [a1, a2] = of(a.batch_id);
    const [b1, b2] = of(b.batch_id);
    assert.ok(a2 && b2, "two segments in each batch");

    // Worker 1 is generating a1, worker 2 b1.
    const begin = async (holder: string, seg: Seg) => {
      const [r] = await stack.sql`
        select * from audio.begin_gated_attempt(${seg.id}, ${seg.msg}, ${holder}, 3, 60, 600)`;
      assert.equal(r.outcome, "go", `${holder} begins segment ${seg.id}`);
      return Number(r.slot);
    };
    const slot1 = await begin("worker-1", a1);
    const slot2 = await begin("worker-2", b1);

    // Both end (audio in hand, to be uploaded), then each begins in the other's batch.
    let ended = 0;
    let bothEnded: () => void;
    const bothHaveEnded = new Promise<void>((resolve) => (bothEnded = resolve));
    const crossing = (holder: string, slot: number, done: Seg, next: Seg) =>
      stack.sql.begin(async (tx) => {
        const [end] =
          await tx`select audio.end_attempt(${slot}::integer, ${holder}, ${done.id}, true) as live`;
        assert.equal(end.live, true);
        if (++ended === 2) bothEnded();
        await bothHaveEnded;
        const [r] = await tx`
          select * from audio.begin_gated_attempt(${next.id}, ${next.msg}, ${holder}, 3, 60, 600)`;
        return r.outcome as string;
      });
    const outcomes = await Promise.all([
      crossing("worker-1", slot1, a1, b2),
      crossing("worker-2", slot2, b1, a2),
    ]);
    assert.deepEqual(outcomes, ["go", "go"]);

    const generating = await stack.sql`
      select id from public.audio_segments where status = 'generating' order by id`;
    assert.deepEqual(
      generating.map((r) => Number(r.id)),
      [a1.id, a2.id, b1.id, b2.id].sort((x, y) => x - y),
    );
    const batches = await stack.sql`
      select status from public.audio_batches where id in (${a.batch_id}, ${b.batch_id})`;
    assert.deepEqual(batches.map((r) => r.status), ["running", "running"]);
    assert.deepEqual([...await stack.sql`select * from audio.batch_counter_drift()`], []);
  } finally {
    await stack.close();
  }
});
