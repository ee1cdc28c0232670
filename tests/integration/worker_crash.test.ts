// A worker process killed with SIGKILL mid-batch loses nothing, and the recovery is the designed
// one: the permits it held are taken again only once their lease has run out, the segments it was
// generating are redelivered and finished by another worker, and every other text is sent to the
// provider exactly once. (How long the recovery takes is a timing: the benchmark measures it.)
import assert from "node:assert/strict";
import { okKey } from "../../local/cartesia/server.ts";
import { createBatch } from "../helpers/batches.ts";
import { startTestStack, waitFor } from "../helpers/stack.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
// Short timeouts so the test waits seconds, not minutes: visibility = provider timeout + 5 s.
const PROVIDER_TIMEOUT_MS = 1000;
const VISIBILITY_S = 6;

Deno.test("SIGKILL mid-batch: the dead worker's permits and segments are taken over, nothing sent twice", async () => {
  const stack = await startTestStack({
    settings: {
      AUDIO_PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
      AUDIO_VISIBILITY_TIMEOUT_S: String(VISIBILITY_S),
    },
    standin: { latencyMeanMs: 250, latencySpread: 0.2 },
  });
  try {
    const batch = await createBatch(stack.sql, { grade: 2 }, { kinds: ["word", "definition"] });
    const s = stack.app.settings;
    const child = new Deno.Command(`${ROOT}tools/node_modules/.bin/deno`, {
      args: ["run", "--allow-all", `${ROOT}supabase/functions/_shared/worker/main.ts`, "--quiet"],
      env: {
        SUPABASE_URL: s.SUPABASE_URL,
        SUPABASE_SERVICE_ROLE_KEY: s.SUPABASE_SERVICE_ROLE_KEY,
        SUPABASE_DB_URL: s.SUPABASE_DB_URL,
        AUDIO_WORKER_SECRET: s.AUDIO_WORKER_SECRET,
        CARTESIA_API_KEY: s.CARTESIA_API_KEY,
        CARTESIA_BASE_URL: s.CARTESIA_BASE_URL,
        CARTESIA_VOICE_ID: s.CARTESIA_VOICE_ID,
        AUDIO_PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
        AUDIO_VISIBILITY_TIMEOUT_S: String(VISIBILITY_S),
      },
      stdout: "null",
      stderr: "piped",
    }).spawn();

    // Kill it while it holds permits for segments it is generating.
    await waitFor(
      "the worker to be mid-batch",
      async () => {
        const [r] = await stack.sql`select
        count(*) filter (where status = 'done')::int as done,
        count(*) filter (where status = 'generating')::int as generating
        from public.audio_segments where batch_id = ${batch.batch_id}`;
        return r.done >= 6 && r.generating > 0;
      },
      60_000,
      20,
    );
    child.kill("SIGKILL");
    const status = await child.status;
    await child.stderr.cancel();
    assert.equal(status.signal, "SIGKILL");
    const killedAt = Date.now();

    // What the dead worker left: its permits (with their lease) and its generating segments.
    const held = await stack.sql<{ slot: number; segment_id: number; expires_at: Date }[]>`
      select slot, segment_id, expires_at from audio.permits where holder is not null`;
    const orphans = await stack.sql<{ id: number; text: string; attempts: number }[]>`
      select id, text, attempts from public.audio_segments
      where batch_id = ${batch.batch_id} and status = 'generating' order by id`;
    assert.ok(held.length > 0, "the killed worker held no permit");
    assert.ok(orphans.length > 0, "the killed worker left no segment generating");
    // A segment may be generating without a permit (its audio was uploading when the worker
    // died); every permit is for one of them.
    const orphanIds = new Set(orphans.map((o) => Number(o.id)));
    assert.ok(
      held.every((p) => orphanIds.has(Number(p.segment_id))),
      "a held permit is for a segment the worker was not generating",
    );

    // A survivor that waits for the dead worker's messages to come back.
    const report = await stack.worker({ idleExitMs: (VISIBILITY_S + 10) * 1000 });
    assert.equal(report.errors, 0);
    const rows = await stack.sql`select status, count(*)::int as n from public.audio_segments
      where batch_id = ${batch.batch_id} group by status`;
    assert.deepEqual(rows.map((r) => [r.status, r.n]), [["done", batch.total]]);
    const [b] = await stack.sql`select status, done from public.audio_batches
      where id = ${batch.batch_id}`;
    assert.deepEqual({ ...b }, { status: "completed", done: batch.total });

    // The orphans were redelivered and finished: one more attempt each, by the survivor, which
    // sent its request only after the dead worker's permit for it (if it held one) had expired.
    const requests = stack.cartesia.stats().requests;
    const finished = await stack.sql<{ id: number; text: string; attempts: number }[]>`
      select id, text, attempts from public.audio_segments where id = any(${
      orphans.map((o) => o.id)
    })
      order by id`;
    for (const [i, o] of orphans.entries()) {
      assert.equal(finished[i].attempts, o.attempts + 1, `segment ${o.id} was tried once more`);
      const permit = held.find((p) => Number(p.segment_id) === Number(o.id));
      const lease = permit ? permit.expires_at.getTime() : killedAt;
      const sent = requests.filter((r) => r.text === okKey(s.CARTESIA_VOICE_ID, o.text));
      const retaken = sent.filter((r) => r.start >= lease);
      assert.equal(retaken.length, 1, `segment ${o.id}: one request after its lease ran out`);
      assert.equal(retaken[0].status, 200);
    }
    // Every other text went to the provider exactly once.
    const orphanTexts = new Set(orphans.map((o) => okKey(s.CARTESIA_VOICE_ID, o.text)));
    const perText = new Map<string, number>();
    for (const r of requests) {
      if (r.text !== null && !orphanTexts.has(r.text)) {
        perText.set(r.text, (perText.get(r.text) ?? 0) + 1);
      }
    }
    assert.equal(perText.size, batch.total - orphans.length, "a text was never sent");
    assert.deepEqual([...perText].filter(([, n]) => n !== 1), [], "a text was sent twice");
    const [{ left }] = await stack.sql`select count(*)::int as left from pgmq.q_audio_segments`;
    assert.equal(left, 0);
  } finally {
    await stack.close();
  }
});
