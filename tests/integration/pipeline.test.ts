// The pipeline end to end on a real database: start-batch → pgmq → three concurrent workers →
// Cartesia stand-in → Storage (gateway) → rows. Every sample word, concurrency never above the
// limit, no text sent twice, playable files, and a second run that finds nothing to do.
import assert from "node:assert/strict";
import {
  adminHeaders,
  assertBackgroundClean,
  startTestStack,
  TEST_KEY,
  waitFor,
} from "../helpers/stack.ts";
import { waitForBatch } from "../helpers/batches.ts";
import { readWav } from "../../local/cartesia/wav_reader.ts";
import { renderAudio, RenderedAudio } from "../../local/cartesia/render.ts";

Deno.test("a batch over every sample word completes with 3 workers, never above the limit, nothing twice", async () => {
  // The plan allows 10, the workers are set to 3: whatever the workers send in parallel reaches
  // the stand-in, so its count shows their real concurrency (a plan of 3 would refuse the
  // excess before counting it).
  const stack = await startTestStack({
    planLimit: 10,
    standin: { latencyMeanMs: 8, latencySpread: 0.3 },
  });
  try {
    const [{ count: wordCount }] = await stack.sql`select count(*)::int as count from public.words`;
    const grades = await stack.sql`select distinct grade from public.words order by grade`;

    // One batch per grade, so the batches run side by side.
    const batchIds: string[] = [];
    for (const { grade } of grades) {
      const res = await stack.call("start-batch", { grade }, adminHeaders(stack));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.queued, res.body.total);
      batchIds.push(String(res.body.batchId));
    }
    // start-batch kicked one worker per batch; add two long-lived ones on top.
    const extra = await Promise.all([stack.worker(), stack.worker()]);

    await waitFor("every batch finished", async () => {
      const rows = await stack
        .sql`select status from public.audio_batches where id = any(${batchIds}::uuid[])`;
      return rows.every((r) => r.status === "completed");
    }, 120_000);
    await assertBackgroundClean(stack);

    const segs = await stack
      .sql`select status, count(*)::int as n from public.audio_segments group by status`;
    assert.deepEqual(segs.map((r) => [r.status, r.n]), [["done", wordCount * 3]]);

    const stats = stack.cartesia.stats();
    assert.equal(
      stats.maxAtOnceByKey[TEST_KEY],
      3,
      "ten workers together sent exactly C = 3 requests at once at most, and used all 3",
    );
    assert.equal(stats.rateLimited, 0, "no 429 when the permits hold the limit");
    const twice = Object.entries(stats.okByTranscript).filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], "no text generated twice");
    const [{ distinct }] = await stack
      .sql`select count(distinct text_hash)::int as distinct from public.audio_segments`;
    assert.equal(stats.byStatus["200"], distinct, "one provider call per distinct text");

    const [{ rows: audioRows }] = await stack
      .sql`select count(*)::int as rows from public.word_audio`;
    assert.equal(audioRows, wordCount * 3);

    // Every word_audio row points at a playable WAV in the storage folder, byte for byte the
    // audio the stand-in answered for that text (the workers read answers into buffers they use
    // again once a clip is stored: a buffer reused too early would store another text's audio).
    const stored = await stack.sql`select wa.storage_path, wa.bytes, s.text, s.voice_id
      from public.word_audio as wa join public.audio_segments as s on s.id = wa.segment_id`;
    assert.equal(stored.length, wordCount * 3);
    const rendered = new RenderedAudio();
    for (const r of stored) {
      const bytes = await Deno.readFile(`${stack.storageRoot}/word-audio/${r.storage_path}`);
      assert.equal(bytes.length, r.bytes);
      const wav = readWav(bytes);
      assert.equal(wav.sampleRate, 44100);
      const expected = await renderAudio(
        {
          modelId: "sonic-2",
          transcript: r.text,
          voiceId: r.voice_id,
          container: "wav",
          encoding: "pcm_s16le",
          sampleRate: 44100,
        },
        null,
        new AbortController().signal,
        rendered,
      );
      assert.ok(expected.ok);
      assert.ok(
        bytes.length === expected.bytes.length && bytes.every((b, i) => b === expected.bytes[i]),
        `${r.storage_path} holds the audio of "${r.text}"`,
      );
    }
    assert.ok(extra.every((r) => r.errors === 0), JSON.stringify(extra));

    // Run again: nothing missing, no provider call.
    const before = stack.cartesia.stats().totalRequests;
    const again = await stack.call("start-batch", { grade: grades[0].grade }, adminHeaders(stack));
    assert.equal(again.status, 200);
    assert.equal(again.body.batchId, null);
    assert.equal(again.body.total, 0);
    await stack.worker();
    assert.equal(stack.cartesia.stats().totalRequests, before);
  } finally {
    await stack.close();
  }
});

Deno.test("missingOnly false reuses identical audio instead of calling the provider", async () => {
  const stack = await startTestStack({ standin: { latencyMeanMs: 5 } });
  try {
    const words = await stack.sql`select id from public.words order by word limit 4`;
    const wordIds = words.map((w) => w.id);
    const first = await stack.call("start-batch", { wordIds }, adminHeaders(stack));
    assert.equal(first.status, 201);
    await waitForBatch(stack.sql, String(first.body.batchId));
    await assertBackgroundClean(stack);
    const calls = stack.cartesia.stats().totalRequests;

    const all = await stack.call(
      "start-batch",
      { wordIds, missingOnly: false },
      adminHeaders(stack),
    );
    assert.equal(all.status, 201);
    assert.equal(all.body.total, 12);
    assert.equal(all.body.skipped, 12, "every segment reused existing audio");
    assert.equal(all.body.queued, 0);
    const [b] = await stack.sql`select status, done, skipped from public.audio_batches where id = ${
      String(all.body.batchId)
    }`;
    assert.deepEqual({ ...b }, { status: "completed", done: 12, skipped: 12 });
    assert.equal(stack.cartesia.stats().totalRequests, calls, "no provider call for reused audio");
  } finally {
    await stack.close();
  }
});
