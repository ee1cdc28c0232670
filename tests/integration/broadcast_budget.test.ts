// The database's progress broadcasts stay within Realtime's budget: a whole batch costs at most a
// quarter of a message per segment (its batch:<id> topic and its rows on the batches list
// together), and an admin following it over Realtime — supabase-js against the local stand-in —
// ends with the batch row's exact state. A cancel of a 30,000-segment batch (the call and the
// steps that finish it) is a handful of messages. Messages are counted where the database sends them (realtime.messages).
import assert from "node:assert/strict";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { createBatch } from "../helpers/batches.ts";
import { cloneTemplate } from "../helpers/pg.ts";
import { assertBackgroundClean, startTestStack, waitFor } from "../helpers/stack.ts";

// The budget: Realtime quotas count every delivered message, so a batch may cost at most
// a quarter of a message per segment, whatever the concurrency.
const MESSAGES_PER_SEGMENT = 0.25;
// The sample catalog: 364 words of three kinds each.
const SAMPLE_SEGMENTS = 1092;
// The test stack's worker at Cartesia's Scale plan concurrency.
const CONCURRENCY = 15;
// A large batch: the size past which postgres_changes drops events on Supabase, six times over.
const LARGE_WORDS = 10_000;
// Created (list row, progress), cancelling (list row, segments, progress: the call cancels one
// step), the paced segments and progress of the middle step at most, and cancelled (list row,
// segments, progress: the last step): ten.
const CANCEL_HANDFUL = 10;

interface Progress {
  seq: number;
  status: string;
  total: number;
  done: number;
  failed: number;
  cancelled: number;
  skipped: number;
  in_flight: number;
}

/** Messages sent about a batch: on its own topic and on the list topic. */
async function sentAbout(sql: postgres.Sql, batchId: string) {
  return await sql<{ topic: string; event: string; payload: Record<string, unknown> }[]>`
    select topic, event, payload from realtime.messages
    where topic = ${"batch:" + batchId}
       or (topic = 'batches' and payload ->> 'id' = ${batchId})
    order by (payload ->> 'seq')::integer nulls first`;
}

/** The batch row's fields a progress message carries. */
async function batchState(sql: postgres.Sql, batchId: string): Promise<Omit<Progress, "seq">> {
  const [b] = await sql<Omit<Progress, "seq" | "in_flight">[]>`
    select status, total, done, failed, cancelled, skipped
    from public.audio_batches where id = ${batchId}`;
  return { ...b, in_flight: 0 };
}

function stateOf(p: Progress) {
  const { status, total, done, failed, cancelled, skipped, in_flight } = p;
  return { status, total, done, failed, cancelled, skipped, in_flight };
}

Deno.test(`a ${SAMPLE_SEGMENTS}-segment batch at C = ${CONCURRENCY} costs at most ${MESSAGES_PER_SEGMENT} messages per segment; an admin ends at the batch row`, async () => {
  const stack = await startTestStack({
    realtime: true,
    settings: { AUDIO_GENERATION_CONCURRENCY: String(CONCURRENCY) },
  });
  let admin: SupabaseClient | null = null;
  try {
    const [{ ids }] = await stack.sql`select array_agg(id) as ids from public.words`;
    const batch = await createBatch(stack.sql, { wordIds: ids }, {
      kinds: ["word", "definition", "sentence"],
    });
    assert.equal(batch.total, SAMPLE_SEGMENTS);

    admin = createClient(stack.url, stack.keys.anonKey, {
      accessToken: () => Promise.resolve(stack.keys.adminJwt),
    });
    await admin.realtime.setAuth();
    const received: Progress[] = [];
    let segmentMessages = 0;
    await new Promise<void>((resolve, reject) => {
      admin!.channel(`batch:${batch.batch_id}`, { config: { private: true } })
        .on("broadcast", { event: "progress" }, (m) => void received.push(m.payload as Progress))
        .on("broadcast", { event: "segments" }, () => void segmentMessages++)
        .subscribe((status, err) => {
          if (status === "SUBSCRIBED") resolve();
          else if (status !== "CLOSED") reject(new Error(`join: ${status} ${err?.message ?? ""}`));
        });
    });

    await stack.worker();
    await assertBackgroundClean(stack);
    const row = await batchState(stack.sql, batch.batch_id);
    assert.equal(row.status, "completed");
    await waitFor("the final progress", () => received.some((p) => p.status === "completed"));

    const sent = await sentAbout(stack.sql, batch.batch_id);
    assert.ok(
      sent.length <= SAMPLE_SEGMENTS * MESSAGES_PER_SEGMENT,
      `${sent.length} messages for ${SAMPLE_SEGMENTS} segments`,
    );
    const progress = sent.filter((m) => m.event === "progress");
    assert.ok(progress.length > 2, "progress went out while the batch ran, not only at its ends");
    assert.deepEqual(stateOf(progress.at(-1)!.payload as unknown as Progress), row);

    const seqs = received.map((p) => p.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), "received in seq order");
    // The first progress (the batch's creation) went out before the admin joined.
    assert.deepEqual(
      seqs,
      progress.map((m) => Number(m.payload.seq)).filter((seq) => seq >= seqs[0]),
      "the admin received every progress message from its join on",
    );
    assert.equal(segmentMessages, sent.filter((m) => m.event === "segments").length);
    assert.deepEqual(stateOf(received.at(-1)!), row, "the admin's last progress is the batch row");
    console.log(
      `${sent.length} messages for ${SAMPLE_SEGMENTS} segments ` +
        `(${(sent.length / SAMPLE_SEGMENTS).toFixed(3)} per segment): ` +
        `${progress.length} progress, ${segmentMessages} segments`,
    );
  } finally {
    await admin?.removeAllChannels();
    await stack.close();
  }
});

Deno.test(`cancelling a ${LARGE_WORDS * 3}-segment batch is a handful of messages ending at the batch row`, async () => {
  const database = await cloneTemplate();
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  try {
    await sql`insert into public.words (id, word, definition, example_sentence, grade)
              select gen_random_uuid(), 'word ' || n, 'definition ' || n, 'sentence ' || n, 50
              from generate_series(1, ${LARGE_WORDS}::integer) as n`;
    const batch = await createBatch(sql, { grade: 50 }, {
      kinds: ["word", "definition", "sentence"],
    });
    assert.equal(batch.total, LARGE_WORDS * 3);
    const [{ status }] = await sql`select audio.cancel_batch(${batch.batch_id}::uuid) as status`;
    assert.equal(status, "cancelling", "more than one step: the rest is left to the steps");
    await sql.unsafe("call audio.finish_cancels()");

    const sent = await sentAbout(sql, batch.batch_id);
    const statuses = (topic: string, event: string) =>
      sent.filter((m) => m.topic.replace(batch.batch_id, "<id>") === topic && m.event === event)
        .map((m) => m.payload.status);
    // The list's rows carry no seq (their order here is the table's): compared as a set.
    assert.deepEqual(statuses("batches", "batch").sort(), ["cancelled", "cancelling", "queued"]);
    const progress = statuses("batch:<id>", "progress");
    assert.deepEqual(
      [progress[0], progress[1], progress.at(-1)],
      ["queued", "cancelling", "cancelled"],
    );
    assert.ok(sent.length <= CANCEL_HANDFUL, `${sent.length} messages`);
    for (const m of sent.filter((m) => m.event === "segments")) {
      assert.deepEqual(
        [m.payload.more, m.payload.changes],
        [true, []],
        "too many to list: re-read",
      );
    }
    const last = sent.at(-1)!.payload as unknown as Progress;
    assert.deepEqual(stateOf(last), await batchState(sql, batch.batch_id));
  } finally {
    await sql.end();
    await database.drop();
  }
});
