// A dead key stops the line instead of burning the batch: with the provider rejecting the key, a
// grade's 135 segments at concurrency 3 cost at most 3 refused requests, then none until a probe;
// no segment fails and none spends a delivery; with the key fixed, a probe closes the circuit and
// the same batch completes with nothing failed. Resume, the admin's button, closes it at once and
// kicks the worker. Time never passes on a wall clock here: the test makes a probe due by moving
// the circuit's next_probe_at.
import assert from "node:assert/strict";
import { adminHeaders, startTestStack, type TestStack } from "../helpers/stack.ts";
import { createBatch, waitForBatch } from "../helpers/batches.ts";

const CONCURRENCY = 3;
const KINDS = ["word", "definition", "sentence"];

function refused(stack: TestStack): number {
  return stack.cartesia.stats().byStatus["401"] ?? 0;
}

async function circuit(stack: TestStack) {
  const [c] = await stack.sql`select * from audio.provider_circuit()`;
  return c;
}

async function segmentStates(stack: TestStack, batchId: string) {
  const [s] = await stack.sql`
    select count(*) filter (where status = 'queued')::int as queued,
      count(*) filter (where status = 'failed')::int as failed,
      coalesce(max(attempts), 0)::int as max_attempts
    from public.audio_segments where batch_id = ${batchId}`;
  const [q] = await stack.sql`
    select count(*)::int as messages,
      coalesce(max(q.read_ct - coalesce(e.reads, 0)), 0)::int as max_reads
    from pgmq.q_audio_segments as q left join audio.excused_reads as e on e.msg_id = q.msg_id`;
  return { ...s, ...q };
}

// The probe interval passes (the only clock this test moves).
async function probeDue(stack: TestStack): Promise<void> {
  await stack.sql`update audio.provider_circuit set next_probe_at = now() where state = 'open'`;
}

Deno.test("a rejected key: at most C requests fail, then none until a probe; the fixed key completes the same batch", async () => {
  const stack = await startTestStack({
    settings: {
      AUDIO_GENERATION_CONCURRENCY: String(CONCURRENCY),
      AUDIO_CIRCUIT_PROBE_S: "3600",
    },
    standin: { latencyMeanMs: 5, rejectKeys: true },
  });
  try {
    const batch = await createBatch(stack.sql, { grade: 3 }, { kinds: KINDS });
    assert.equal(batch.queued, 135, "grade 3 is 45 words × 3 segments");

    const first = await stack.worker();
    assert.ok(refused(stack) >= 1 && refused(stack) <= CONCURRENCY, `refused ${refused(stack)}`);
    assert.equal(stack.sent.length, refused(stack), "no request besides the refused ones");
    assert.equal(first.failed, 0);
    const open = await circuit(stack);
    assert.equal(open.state, "open");
    assert.match(open.reason, /the provider rejected the API key — set CARTESIA_API_KEY/);
    assert.match(open.provider_error, /Cartesia answered 401/);
    assert.deepEqual(await segmentStates(stack, batch.batch_id), {
      queued: 135,
      failed: 0,
      max_attempts: 0,
      messages: 135,
      max_reads: 0,
    }, "every segment queued, no attempt counted, no delivery spent");

    // Still open, no probe due: another worker sends nothing.
    const before = stack.sent.length;
    const idle = await stack.worker();
    assert.equal(stack.sent.length, before, "no request while the circuit is open");
    assert.equal(idle.claimed, 0);

    // A probe with the key still wrong: exactly one more request, and the circuit re-opens.
    await probeDue(stack);
    await stack.worker();
    assert.equal(stack.sent.length, before + 1, "one probe request");
    const reopened = await circuit(stack);
    assert.equal(reopened.state, "open");
    assert.ok(new Date(reopened.next_probe_at).getTime() > Date.now(), "the next probe is ahead");
    assert.equal((await segmentStates(stack, batch.batch_id)).failed, 0);

    // The key is fixed: the next probe closes the circuit and the batch completes.
    stack.cartesia.configure({ rejectKeys: false });
    await probeDue(stack);
    const resumed = await stack.worker();
    const done = await waitForBatch(stack.sql, batch.batch_id, [
      "completed",
      "completed_with_errors",
    ]);
    assert.equal(done.status, "completed");
    assert.equal(done.failed, 0);
    assert.equal(done.done, 135);
    assert.equal(resumed.failed, 0);
    assert.equal((await circuit(stack)).state, "closed");
  } finally {
    await stack.close();
  }
});

async function resume(stack: TestStack, headers: Record<string, string>, body?: string) {
  const res = await fetch(`${stack.url}/functions/v1/admin-api/circuit/resume`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("Resume: admins only; closes the circuit at once and kicks the worker; the page's read shows the reason", async () => {
  const stack = await startTestStack({ standin: { latencyMeanMs: 5 } });
  try {
    await stack
      .sql`select audio.open_circuit('the provider rejected the API key — set CARTESIA_API_KEY', 'Cartesia answered 401', 3600)`;
    const read = await fetch(`${stack.url}/functions/v1/admin-api/circuit`, {
      headers: adminHeaders(stack),
    });
    const shown = (await read.json()).circuit;
    assert.equal(shown.state, "open");
    assert.match(shown.reason, /set CARTESIA_API_KEY/);
    assert.ok(shown.openedAt && shown.nextProbeAt);

    assert.equal((await resume(stack, {})).status, 401, "no token");
    const user = { authorization: `Bearer ${stack.keys.userJwt}` };
    assert.equal((await resume(stack, user, "{}")).status, 403, "not an admin");
    const bad = await resume(stack, adminHeaders(stack), '{"force":true}');
    assert.equal(bad.status, 400, "resume takes no options");
    assert.equal(bad.body.error.fields[0].field, "force");
    assert.equal((await resume(stack, adminHeaders(stack), "not json")).status, 400);
    assert.equal((await circuit(stack)).state, "open", "refused calls change nothing");

    const kicksBefore = stack.background.length;
    const ok = await resume(stack, adminHeaders(stack), "{}");
    assert.equal(ok.status, 200);
    assert.equal(ok.body.resumed, true);
    assert.equal(ok.body.circuit.state, "closed");
    assert.equal(ok.body.circuit.reason, null);
    assert.equal((await circuit(stack)).state, "closed");
    assert.ok(stack.background.length > kicksBefore, "the worker was kicked");
    await Promise.all(stack.background);

    const again = await resume(stack, adminHeaders(stack));
    assert.equal(again.status, 200);
    assert.equal(again.body.resumed, false, "already closed");
  } finally {
    await stack.close();
  }
});
