// The catalog benchmark: a catalog of N words and about a million segment rows of history
// (scripts/catalog/load.ts), then every figure of a real catalog against its target — the admin
// page's reads, a 30,000- and a 300,000-segment start, the cancel of the big one (and how long a
// worker of another batch waited meanwhile), the nightly backfill (and that it queued nothing a
// live batch holds). Prints one line per figure with its target and met/missed; exits non-zero
// if any is missed. Run through `scripts/bench catalog` (a throwaway cluster of its own).
//   scripts/bench catalog [--words 100000] [--history-rows 1000000]
import postgres from "postgres";
import { CATALOG_VOICE, loadCatalog } from "./catalog/load.ts";
import { simulateYear } from "./catalog/year.ts";
import { segmentsPage } from "../supabase/functions/admin-api/segments.ts";
import { wordQueries } from "../supabase/functions/admin-api/words.ts";

interface Figure {
  name: string;
  value: number;
  unit: string;
  // null: a figure shown for what it is, with no target of its own.
  target: number | null;
}

// Each read runs this many times and the median counts: the first run warms the cache, and one
// slow run on a shared machine should not decide.
const READ_RUNS = 5;

function parse(argv: string[]) {
  const o = { words: 100_000, historyRows: 1_000_000 };
  for (let i = 0; i < argv.length; i += 2) {
    const n = Number(argv[i + 1]);
    if (argv[i] === "--words" && Number.isInteger(n) && n >= 1000 && n <= 1_000_000) o.words = n;
    else if (argv[i] === "--history-rows" && Number.isInteger(n) && n >= 0) o.historyRows = n;
    else throw new Error(`unknown or bad option ${argv[i]} ${argv[i + 1] ?? ""}`);
  }
  return o;
}

async function ms<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const out = await fn();
  return [performance.now() - t0, out];
}

async function median(fn: () => Promise<unknown>): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < READ_RUNS; i++) runs.push((await ms(fn))[0]);
  return runs.sort((a, b) => a - b)[Math.floor(READ_RUNS / 2)];
}

async function reads(sql: postgres.Sql, figures: Figure[]) {
  const d = CATALOG_VOICE;
  const [batch] = await sql`select id from public.audio_batches order by created_at desc limit 1`;
  const wordsPage = (f: Parameters<typeof wordQueries>[1]) => () =>
    sql.begin(async (tx) => {
      const q = wordQueries(tx, f, d);
      const page = await q.page();
      await q.total();
      await q.kinds(page.slice(0, f.limit).map((w) => w.word_id as string));
    });
  const base = { grade: 3, q: null, state: null, limit: 50, after: null };
  // A cursor halfway through grade 3: the page after it is as deep as a page gets.
  const [mid] = await sql`select grade, word, word_id::text as id from audio.segment_state
    where grade = 3 order by grade, word, word_id
    offset (select count(*) / 2 from audio.segment_state where grade = 3) limit 1`;
  const cases: [string, () => Promise<unknown>][] = [
    [
      "grade summary",
      () => sql`select * from audio.grade_summary(${d.voice}, ${d.model}, ${d.format})`,
    ],
    ["words page (grade)", wordsPage(base)],
    ["words page (search)", wordsPage({ ...base, q: "0042" })],
    ["words page (state=failed)", wordsPage({ ...base, state: "failed" })],
    [
      "words page (cursor mid-grade)",
      wordsPage({ ...base, after: { grade: 3, word: mid.word, id: mid.id } }),
    ],
    ["batch list", () => sql`select * from public.audio_batches order by created_at desc limit 20`],
    [
      "batch segments page",
      () => segmentsPage(sql, { batchId: batch.id, status: null, after: 0, limit: 200 }),
    ],
    [
      "batch segments page (failed)",
      () => segmentsPage(sql, { batchId: batch.id, status: "failed", after: 0, limit: 200 }),
    ],
  ];
  for (const [name, fn] of cases) {
    figures.push({ name: `read: ${name}`, value: await median(fn), unit: "ms", target: 100 });
  }
}

// A batch over these words in a voice the history never used, so every segment is queued.
const start = (sql: postgres.Sql, wordIds: string[] | null, voice: string) =>
  sql`select * from audio.create_batch(p_word_ids => ${wordIds}::uuid[], p_missing_only => false,
    p_voice_id => ${voice}, p_model_id => ${CATALOG_VOICE.model}, p_format => ${CATALOG_VOICE.format})`;

// Another batch's worker while `during` runs: begins and completes that batch's segments one
// after another (as a worker does, each call its own transaction) and returns the longest call.
// Bounded by the batch's queued segments.
async function workerWaits(url: string, batchId: string, during: Promise<unknown>) {
  const other = postgres(url, { max: 1, onnotice: () => {} });
  let settled = false;
  during.then(() => settled = true, () => settled = true);
  let longest = 0;
  try {
    const segs = await other`select id, msg_id from public.audio_segments
      where batch_id = ${batchId} and status = 'queued' order by id`;
    for (const seg of segs) {
      if (settled) break;
      const [begin, [b]] = await ms(() =>
        other`select * from audio.begin_attempt(${seg.id}, ${seg.msg_id}, 'bench-other', 5, 60, 600)`
      );
      if (b.outcome !== "go") throw new Error(`the other batch's begin: ${b.outcome}`);
      const [end] = await ms(() =>
        other`select audio.end_attempt(${b.slot}, 'bench-other', ${seg.id}, true)`
      );
      const [complete] = await ms(() =>
        other`select audio.complete_segment(${seg.id}, ${seg.msg_id}, 'bench/other.mp3', 10)`
      );
      longest = Math.max(longest, begin, end, complete);
    }
    await during;
    return longest;
  } finally {
    await other.end();
  }
}

async function batches(sql: postgres.Sql, url: string, words: number, figures: Figure[]) {
  const ids = (await sql`select id::text from public.words order by id limit 10000`).map((r) =>
    r.id
  );
  const [small, [s]] = await ms(() => start(sql, ids, "bench-voice-small"));
  figures.push({ name: `start: ${s.total} segments`, value: small, unit: "ms", target: 1000 });

  const [big, [b]] = await ms(() => start(sql, null, "bench-voice-big"));
  figures.push({
    name: `start: ${b.total} segments (all)`,
    value: big,
    unit: "ms",
    target: 10_000,
  });
  const [q] = await sql`select count(*)::int as n from pgmq.q_audio_segments`;
  figures.push({
    name: "messages queued = segments queued",
    value: q.n - s.queued - b.queued,
    unit: "",
    target: 0,
  });

  // The cancel (the call: marks the batch and cancels its first step), then the rest of its
  // segments as pg_cron's job cancels them, a step per transaction; another batch's worker runs
  // meanwhile and the longest of its calls is the wait. The cluster's own pg_cron job may run a
  // step at the same time, and a step passes over the rows another holds: the call is repeated
  // until the batch has left 'cancelling' (at most 100 calls, 50 ms apart).
  const cancelAndFinish = (async () => {
    const [call] = await ms(() => sql`select audio.cancel_batch(${b.batch_id})`);
    const [finish] = await ms(async () => {
      for (let i = 0; i < 100; i++) {
        await sql.unsafe("call audio.finish_cancels()");
        const [row] = await sql`select status from public.audio_batches where id = ${b.batch_id}`;
        if (row.status !== "cancelling") return;
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    return [call, finish];
  })();
  const waited = await workerWaits(url, s.batch_id, cancelAndFinish);
  const [cancelMs, finishMs] = await cancelAndFinish;
  const [ended] = await sql`select status from public.audio_batches where id = ${b.batch_id}`;
  figures.push({
    name: `cancel: ${b.total} segments (the call)`,
    value: cancelMs,
    unit: "ms",
    target: 3000,
  });
  figures.push({
    name: `cancel: the steps until ${ended.status}`,
    value: finishMs,
    unit: "ms",
    target: null,
  });
  figures.push({
    name: "cancel: another batch's longest begin/complete",
    value: waited,
    unit: "ms",
    target: 1000,
  });
  const [drift] = await sql`select count(*)::int as n from audio.batch_counter_drift()`;
  figures.push({ name: "batches whose counters drift", value: drift.n, unit: "", target: 0 });

  // The backfill over the catalog while the small batch is live: it must not queue those.
  await sql`select audio.set_setting('voice_id', ${CATALOG_VOICE.voice}), audio.set_setting('model_id', ${CATALOG_VOICE.model}),
    audio.set_setting('format', ${CATALOG_VOICE.format})`;
  const [backfill, [fill]] = await ms(() => sql`select audio.enqueue_missing() as id`);
  figures.push({
    name: `backfill over ${words} words`,
    value: backfill,
    unit: "ms",
    target: 10_000,
  });
  const [dup] = await sql`select count(*)::int as n from public.audio_segments as f
    join public.audio_segments as live on live.word_id = f.word_id and live.kind = f.kind
    where f.batch_id = ${fill.id} and live.batch_id = ${s.batch_id} and live.status in ('queued', 'generating')`;
  figures.push({
    name: "backfill: segments a live batch holds queued again",
    value: dup.n,
    unit: "",
    target: 0,
  });
}

// A year of nightly backfills and daily admin batches, then the nightly prune.
async function retention(sql: postgres.Sql, figures: Figure[]) {
  const y = await simulateYear(sql);
  console.log(
    `retention: a year of history, ${y.rowsBefore} segment rows (${y.mbBefore.toFixed(0)} MB); ` +
      `the prune took ${y.batchesPruned} batches, ${y.segmentsPruned} rows, and kept ` +
      `${y.keptOfPruned} rows of them (each a word and kind's newest finished segment or its audio); ` +
      `${y.rowsAfter} rows left (${y.mbAfter.toFixed(0)} MB on disk, the space free for reuse)`,
  );
  figures.push({
    name: "retention: the nightly prune of a year",
    value: y.pruneMs,
    unit: "ms",
    target: null,
  });
  figures.push({
    name: "retention: segment rows left (target: the recent ones + 2 per key)",
    value: y.rowsAfter,
    unit: "",
    target: y.bound,
  });
}

async function main() {
  const o = parse(Deno.args);
  const url = Deno.env.get("AQ_BENCH_DB_URL");
  if (!url) throw new Error("AQ_BENCH_DB_URL is not set: run through scripts/bench catalog");
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const figures: Figure[] = [];
  try {
    const batchesOfHistory = Math.ceil(o.historyRows / (3 * o.words));
    const [loadMs] = await ms(() =>
      loadCatalog(sql, { words: o.words, batches: batchesOfHistory })
    );
    const [size] = await sql`select (select count(*) from public.words)::int as words,
      (select count(*) from public.audio_segments)::int as segments`;
    console.log(
      `catalog: ${size.words} words, ${size.segments} segment rows of history (loaded in ${
        (loadMs / 1000).toFixed(1)
      } s)`,
    );
    await reads(sql, figures);
    await batches(sql, url, o.words, figures);
    await retention(sql, figures);
  } finally {
    await sql.end();
  }
  let missed = 0;
  for (const f of figures) {
    const met = f.target === null || f.value <= f.target;
    if (!met) missed++;
    const show = (v: number) => f.unit === "ms" ? `${v.toFixed(0)} ms` : String(v);
    const target = f.target === null ? "-" : `${f.unit === "ms" ? "<= " : ""}${show(f.target)}`;
    const verdict = f.target === null ? "" : met ? "met" : "MISSED";
    console.log(
      `${f.name.padEnd(52)} ${show(f.value).padStart(10)}   target ${target.padEnd(12)} ${verdict}`,
    );
  }
  if (missed > 0) Deno.exit(1);
}

await main();
