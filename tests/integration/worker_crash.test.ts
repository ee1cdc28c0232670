// A worker killed with SIGKILL mid-batch loses nothing: its leases and visibility timeouts run
// out, another worker finishes its segments, and no word gets two word_audio rows.
import assert from "node:assert/strict";
import { startTestStack, waitFor } from "../helpers/stack.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
// Short timeouts so the test waits seconds, not minutes: visibility = provider timeout + 5 s.
const PROVIDER_TIMEOUT_MS = 1000;
const VISIBILITY_S = 6;

Deno.test("SIGKILL mid-batch: another worker finishes every segment, nothing duplicated", async () => {
  const stack = await startTestStack({
    settings: {
      AUDIO_PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
      AUDIO_VISIBILITY_TIMEOUT_S: String(VISIBILITY_S),
    },
    standin: { latencyMeanMs: 250, latencySpread: 0.2 },
  });
  try {
    const [batch] = await stack
      .sql`select * from audio.create_batch(p_grade => 2::smallint, p_kinds => array['word', 'definition'],
      p_voice_id => 'test-voice', p_model_id => 'sonic-2', p_format => 'wav-pcm_s16le-44100')`;
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

    // Kill it while it has segments in flight.
    await waitFor(
      "the worker to be mid-batch",
      async () => {
        const [r] = await stack.sql`select
        (select count(*) from public.audio_segments where batch_id = ${batch.batch_id} and status = 'done')::int as done,
        (select count(*) from public.audio_segments where batch_id = ${batch.batch_id} and status = 'generating')::int as generating`;
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
    const [{ orphaned }] = await stack
      .sql`select count(*)::int as orphaned from public.audio_segments
      where batch_id = ${batch.batch_id} and status = 'generating'`;
    assert.ok(orphaned > 0, "the killed worker left segments generating");

    // A survivor that waits for the dead worker's messages to come back.
    const report = await stack.worker({ idleExitMs: (VISIBILITY_S + 10) * 1000 });
    const finishedAt = Date.now();
    assert.equal(report.errors, 0);

    const rows = await stack.sql`select status, count(*)::int as n from public.audio_segments
      where batch_id = ${batch.batch_id} group by status`;
    assert.deepEqual(rows.map((r) => [r.status, r.n]), [["done", batch.total]]);
    const [b] = await stack
      .sql`select status, done from public.audio_batches where id = ${batch.batch_id}`;
    assert.deepEqual({ ...b }, { status: "completed", done: batch.total });

    const [dupes] = await stack
      .sql`select count(*)::int as rows, count(distinct (word_id, kind))::int as keys from public.word_audio`;
    assert.equal(dupes.rows, batch.total);
    assert.equal(dupes.keys, batch.total, "one word_audio row per word and kind");
    const [{ left }] = await stack.sql`select count(*)::int as left from pgmq.q_audio_segments`;
    assert.equal(left, 0);
    // The requirement is a timing: finished within the visibility timeout plus a few seconds
    // (here generous, for a loaded machine).
    assert.ok(
      finishedAt - killedAt < (VISIBILITY_S + 20) * 1000,
      `took ${finishedAt - killedAt} ms`,
    );
  } finally {
    await stack.close();
  }
});
