// start-batch's dry run answers what a real start of the same request then queues — segments by
// kind, reused, pending, the provider's requests and characters, the cost and the time — and
// writes nothing: no batch, segment, message, state row or stored default.
import assert from "node:assert/strict";
import { waitForBatch } from "../helpers/batches.ts";
import { adminHeaders, startTestStack, type TestStack } from "../helpers/stack.ts";

const PRICE = 0.05;

// Every row a start could write, as one fingerprint per table.
async function written(stack: TestStack) {
  const [r] = await stack.sql`
    select (select count(*) from public.audio_batches)::int as batches,
      (select count(*) from public.audio_segments)::int as segments,
      (select count(*) from pgmq.q_audio_segments)::int as messages,
      (select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from audio.segment_state as t) as states,
      (select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from public.word_audio as t) as audio,
      (select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from audio.config as t) as config`;
  return { ...r };
}

// What the real batch queued: its provider requests (distinct texts) and their characters.
async function queuedTexts(stack: TestStack, batchId: string) {
  const [r] = await stack.sql`
    select count(*)::int as requests, coalesce(sum(char_length(text)), 0)::int as characters
    from (select distinct on (text_hash) text from public.audio_segments
          where batch_id = ${batchId}::uuid and status = 'queued') as t`;
  return r;
}

type Estimate = Record<string, unknown> & {
  byKind: { kind: string; total: number; skipped: number; queued: number }[];
  time: Record<string, unknown>;
  cost: { amount: number; pricePer1kChars: number } | null;
};

Deno.test("start-batch dryRun: a real start then queues exactly the estimate, and the dry run writes nothing", async () => {
  const stack = await startTestStack({ settings: { AUDIO_PRICE_PER_1K_CHARS: String(PRICE) } });
  try {
    const admin = adminHeaders(stack);
    const grade1 = await stack.sql`select id from public.words where grade = 1 order by id limit 2`;
    const two = grade1.map((w) => String(w.id));
    // Some audio generated and timed: two words' word and definition.
    const made = await stack.call(
      "start-batch",
      { wordIds: two, kinds: ["word", "definition"] },
      admin,
    );
    assert.equal(made.status, 201, JSON.stringify(made.body));
    await waitForBatch(stack.sql, String(made.body.batchId));
    await Promise.all(stack.background);
    // From here no worker runs (a fresh heartbeat: start-batch kicks none), so batches stay live.
    await stack.sql`insert into audio.workers (holder) values ('test: no worker')`;
    const held = await stack.call("start-batch", { grade: 2, kinds: ["word"] }, admin);
    assert.equal(held.status, 201, JSON.stringify(held.body));

    const [timed] = await stack.sql`
      select round(avg(provider_ms))::int as mean, count(*)::int as n from public.audio_segments
      where status = 'done' and not reused and provider_ms is not null`;
    assert.ok(timed.n > 0, "the first batch timed its requests");

    // Reused audio (missingOnly false over generated words), then a grade whose two words already
    // have audio, then everything with two live batches holding part of it.
    const scopes = [
      { wordIds: two, missingOnly: false },
      { grade: 1 },
      { all: true },
    ];
    const seen = { skipped: 0, pending: 0 };
    for (const scope of scopes) {
      const before = await written(stack);
      const dry = await stack.call("start-batch", { ...scope, dryRun: true }, admin);
      assert.equal(dry.status, 200, JSON.stringify(dry.body));
      assert.deepEqual(await written(stack), before, `${JSON.stringify(scope)}: nothing written`);
      const e = dry.body as Estimate;

      const real = await stack.call("start-batch", scope, admin);
      assert.equal(real.status, 201, JSON.stringify(real.body));
      const name = JSON.stringify(scope);
      for (const key of ["total", "queued", "skipped", "pending"]) {
        assert.equal(e[key], real.body[key], `${name}: ${key}`);
      }
      seen.skipped += Number(e.skipped);
      seen.pending += Number(e.pending);
      const kinds = await stack.sql`
        select kind, count(*)::int as total, count(*) filter (where reused)::int as skipped,
          count(*) filter (where status = 'queued')::int as queued
        from public.audio_segments where batch_id = ${String(real.body.batchId)}::uuid
        group by kind order by array_position(array['word', 'definition', 'sentence'], kind)`;
      assert.deepEqual(e.byKind, kinds.map((k) => ({ ...k })), `${name}: by kind`);
      const texts = await queuedTexts(stack, String(real.body.batchId));
      assert.equal(e.requests, texts.requests, `${name}: requests`);
      assert.equal(e.characters, texts.characters, `${name}: characters`);
      assert.deepEqual(e.cost, {
        amount: Math.round(texts.characters / 1000 * PRICE * 100) / 100,
        pricePer1kChars: PRICE,
      });
      assert.deepEqual(e.time, {
        seconds: Math.ceil(texts.requests * timed.mean / 3 / 1000),
        typicalRequestMs: timed.mean,
        typicalFrom: "measured",
        timedRequests: timed.n,
        limit: 3,
      }, `${name}: time at the ceiling of 3`);
    }
    assert.ok(seen.skipped > 0 && seen.pending > 0, "reused and pending segments were estimated");

    // A learned limit below the ceiling stretches the time.
    await stack.sql`update audio.concurrency_limit set effective = 1`;
    const slow = await stack.call(
      "start-batch",
      { all: true, missingOnly: false, dryRun: true },
      admin,
    );
    assert.equal(slow.status, 200, JSON.stringify(slow.body));
    const time = (slow.body as Estimate).time;
    assert.equal(time.limit, 1);
    assert.equal(
      time.seconds,
      Math.ceil(Number(slow.body.requests) * timed.mean / 1000),
      "the time at one request in flight",
    );
    for (const b of await stack.sql`select id from public.audio_batches where status = 'queued'`) {
      await stack.sql`select audio.cancel_batch(${b.id}::uuid)`;
    }
  } finally {
    await stack.close();
  }
});

Deno.test("start-batch dryRun: no price set, nothing timed yet, nothing to do", async () => {
  const stack = await startTestStack();
  try {
    const admin = adminHeaders(stack);
    const dry = await stack.call("start-batch", { grade: 1, dryRun: true }, admin);
    assert.equal(dry.status, 200, JSON.stringify(dry.body));
    const e = dry.body as Estimate;
    assert.equal(e.cost, null, "no price set: no cost");
    assert.equal(e.time.typicalFrom, "default");
    assert.equal(e.time.typicalRequestMs, 2000);
    assert.equal(e.time.timedRequests, 0);
    assert.ok(Number(e.queued) > 0);

    // A word whose only asked kind a live batch holds: nothing to do, as a real start would say.
    await stack.sql`insert into audio.workers (holder) values ('test: no worker')`;
    const [w] = await stack.sql`select id from public.words where grade = 1 limit 1`;
    const one = { wordIds: [w.id], kinds: ["word"] };
    const live = await stack.call("start-batch", { ...one, dryRun: false }, admin);
    assert.equal(live.status, 201, JSON.stringify(live.body));
    const again = await stack.call("start-batch", { ...one, dryRun: true }, admin);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.total, 0);
    assert.equal(again.body.pending, 1, "held by the live batch");
    assert.deepEqual(again.body.byKind, []);
    await stack.sql`select audio.cancel_batch(${String(live.body.batchId)}::uuid)`;
  } finally {
    await stack.close();
  }
});
