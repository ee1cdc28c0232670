// A cancel is announced: the commit that requests it sends NOTIFY on audio.cancel_channel() with
// the batch's id (once per batch), and a worker holding that batch aborts its requests at the
// announcement, not at its next cancel poll.
import assert from "node:assert/strict";
import { CANCEL_CHANNEL } from "../../supabase/functions/_shared/config.ts";
import { createBatch } from "../helpers/batches.ts";
import { assertBackgroundClean, startTestStack, waitFor } from "../helpers/stack.ts";

Deno.test("cancel_batch announces the batch on the cancel channel at its commit, once", async () => {
  const stack = await startTestStack();
  const heard: string[] = [];
  const listening = await stack.sql.listen(CANCEL_CHANNEL, (payload) => heard.push(payload));
  try {
    const a = await createBatch(stack.sql, { grade: 1 }, { voiceId: "voice-a" });
    const b = await createBatch(stack.sql, { grade: 2 }, { voiceId: "voice-b" });
    await stack.sql`select audio.cancel_batch(${a.batch_id}::uuid)`;
    // Nothing more: a second cancel of the same batch, and other changes of a batch.
    await stack.sql`select audio.cancel_batch(${a.batch_id}::uuid)`;
    await stack.sql`update public.audio_batches set started_at = now() where id = ${b.batch_id}`;
    // A cancel rolled back is never announced.
    await stack.sql.begin(async (tx) => {
      await tx`select audio.cancel_batch(${b.batch_id}::uuid)`;
      await tx`select 1/0`;
    }).catch(() => {});
    // Notifications arrive in commit order: once this one is heard, the others would have been.
    await stack.sql`select pg_notify(${CANCEL_CHANNEL}, 'last')`;
    await waitFor("the last notification", () => heard.includes("last"));
    assert.deepEqual(heard, [a.batch_id, "last"]);
  } finally {
    await listening.unlisten();
    await stack.close();
  }
});

Deno.test("a worker aborts a cancelled batch's requests at the announcement, though its poll would not ask for a minute", async () => {
  // Requests of 30 s (within a provider timeout of a minute), cancel polls a minute apart: only
  // the announcement can end a request of the cancelled batch within the 15 s this test waits.
  const stack = await startTestStack({
    standin: { latencyMeanMs: 30_000, latencySpread: 0 },
    settings: {
      AUDIO_PROVIDER_TIMEOUT_MS: "60000",
      AUDIO_VISIBILITY_TIMEOUT_S: "90",
      AUDIO_WORKER_BUDGET_S: "80",
    },
  });
  try {
    const batch = await createBatch(stack.sql, { grade: 1 }, { voiceId: "voice-a" });
    const run = stack.worker({ cancelPollMs: 60_000, cancelListenPollMs: 60_000 });
    await waitFor("a request of the batch at the provider", () => stack.sent.length > 0, 30_000);
    // The run's LISTEN is in place (its connection's last statement), so the NOTIFY reaches it.
    await waitFor("the worker listening for cancels", async () => {
      const [l] = await stack.sql`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and query ilike ${`listen%${CANCEL_CHANNEL}%`}`;
      return l.n > 0;
    });
    await stack.sql`select audio.cancel_batch(${batch.batch_id}::uuid)`;
    await waitFor(
      "the request aborted",
      () => stack.cartesia.stats().abandoned > 0,
      15_000,
    );
    const report = await run;
    assert.equal(report.done, 0);
    assert.ok(report.cancelled > 0, "the run counts the cancelled segments");
    await waitFor("the batch cancelled", async () => {
      await stack.sql.unsafe("call audio.finish_cancels()");
      const [b] = await stack.sql`select status from public.audio_batches
        where id = ${batch.batch_id}`;
      return b.status === "cancelled";
    });
    await assertBackgroundClean(stack);
  } finally {
    await stack.close();
  }
});
