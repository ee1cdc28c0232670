// The admin page's reads at a realistic size answer from indexes: with a catalog of thousands of
// words and a history of several segment rows per word and kind, the grade summary reads the
// counts kept as data (no segment_state row), a grade's words pages (plain, searched, filtered by
// state, after a cursor), the batch list and a batch's segments page (all, and one status) scan
// neither audio_segments nor word_audio sequentially, the words pages walk segment_state's index
// and a batch's segments page the batch's, never the primary key. The plans are the ones Postgres
// runs (auto_explain, nested statements included), not guesses. Then the cancel right after a
// large start, and on statistics that predate the rows: a key's lookup, a start's check of what
// live batches hold, and a word edit's rebuild of its state.
import assert from "node:assert/strict";
import postgres from "postgres";
import { withTestDatabase } from "../helpers/pg.ts";
import { CATALOG_VOICE, loadCatalog } from "../../scripts/catalog/load.ts";
import { segmentsPage } from "../../supabase/functions/admin-api/segments.ts";
import { wordQueries } from "../../supabase/functions/admin-api/words.ts";

// Big enough that Postgres prefers an index to a scan wherever one fits (a few thousand rows a
// grade, 180,000 segment rows), small enough to load in seconds.
const SIZE = { words: 20_000, batches: 3 };

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Plan Rows"?: number;
  "Actual Loops"?: number;
  "Actual Rows"?: number;
  "Rows Removed by Filter"?: number;
  "Sort Key"?: string[];
  Plans?: PlanNode[];
}

// Every node of a plan tree.
function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

// Runs fn on a connection that reports the plan of every statement it runs, nested ones too
// (with analyze: as run, with each node's loops and rows).
async function plansOf(
  url: string,
  fn: (sql: postgres.Sql) => Promise<unknown>,
  analyze = false,
) {
  const plans: PlanNode[] = [];
  const sql = postgres(url, {
    max: 1,
    onnotice: (n) => {
      const text = String(n.message);
      const at = text.indexOf("{");
      if (text.includes("plan:") && at >= 0) plans.push(JSON.parse(text.slice(at)).Plan);
    },
  });
  try {
    await sql`load 'auto_explain'`;
    await sql`set auto_explain.log_min_duration = 0`;
    await sql`set auto_explain.log_nested_statements = on`;
    await sql`set auto_explain.log_format = json`;
    await sql`set auto_explain.log_level = notice`;
    if (analyze) await sql`set auto_explain.log_analyze = on`;
    await fn(sql);
  } finally {
    await sql.end();
  }
  return plans.flatMap(nodes);
}

function seqScans(all: PlanNode[], tables: string[]): string[] {
  return all.filter((n) => n["Node Type"] === "Seq Scan" && tables.includes(n["Relation Name"]!))
    .map((n) => n["Relation Name"]!);
}

const HISTORY = ["audio_segments", "word_audio"];

Deno.test("catalog reads: no sequential scan of the history at a realistic size", async () => {
  await withTestDatabase(async (url) => {
    const setup = postgres(url, { max: 1, onnotice: () => {} });
    let batchId: string;
    try {
      await loadCatalog(setup, SIZE);
      [{ id: batchId }] =
        await setup`select id from public.audio_batches order by created_at desc limit 1`;
    } finally {
      await setup.end();
    }
    const d = CATALOG_VOICE;

    const summary = await plansOf(
      url,
      (sql) => sql`select * from audio.grade_summary(${d.voice}, ${d.model}, ${d.format})`,
    );
    // The summary sums the counts kept as data; it reads no state row, whatever the catalog's size.
    assert.ok(
      summary.some((n) => n["Relation Name"] === "state_counts"),
      "the summary reads audio.state_counts",
    );
    assert.deepEqual(
      summary.filter((n) => n["Relation Name"] === "segment_state").map((n) => n["Node Type"]),
      [],
      "the summary reads no segment_state row",
    );
    assert.deepEqual(seqScans(summary, HISTORY), [], "grade summary");

    const pages = await plansOf(url, (sql) =>
      sql.begin(async (tx) => {
        const filters = [
          { grade: 3, q: null, state: null, limit: 50, after: null },
          { grade: 3, q: "00042", state: null, limit: 50, after: null },
          { grade: 3, q: null, state: "failed", limit: 50, after: null },
          { grade: 3, q: null, state: "missing", limit: 50, after: null },
          {
            grade: 3,
            q: null,
            state: null,
            limit: 50,
            after: { grade: 3, word: "catalog0010000", id: "00000000-0000-4000-8000-000000000000" },
          },
        ];
        for (const f of filters) {
          const q = wordQueries(tx, f, d);
          const page = await q.page();
          await q.total();
          await q.kinds(page.map((w) => w.word_id as string));
        }
      }));
    assert.deepEqual(seqScans(pages, [...HISTORY, "segment_state"]), [], "words pages");
    assert.ok(
      pages.some((n) => n["Index Name"] === "segment_state_page_idx"),
      "the words pages walk segment_state_page_idx",
    );
    // A grade's total (no state asked) is counted from segment_state_page_idx alone.
    assert.ok(
      pages.some((n) =>
        n["Node Type"] === "Index Only Scan" && n["Index Name"] === "segment_state_page_idx"
      ),
      "the words pages count a grade from the index alone",
    );
    // A rare state's page walks only the rows that can be in it, not its whole grade.
    for (const idx of ["segment_state_failed_idx", "segment_state_no_audio_idx"]) {
      assert.ok(pages.some((n) => n["Index Name"] === idx), `the state filters walk ${idx}`);
    }

    const batchReads = await plansOf(url, async (sql) => {
      await sql`select id from public.audio_batches order by created_at desc limit 20`;
      await segmentsPage(sql, { batchId, status: null, after: 0, limit: 200 });
      await segmentsPage(sql, { batchId, status: "failed", after: 0, limit: 200 });
      await segmentsPage(sql, { batchId, status: "queued", after: 0, limit: 200 });
    });
    // (audio_batches holds three rows here: scanning it is cheaper than its index, and right.)
    assert.deepEqual(seqScans(batchReads, HISTORY), [], "batch reads");
    // The newest batch's rows are the last of the table: a walk of the primary key from the first
    // id would pass every older batch's.
    assert.deepEqual(
      batchReads.filter((n) => n["Index Name"] === "audio_segments_pkey").map((n) =>
        n["Node Type"]
      ),
      [],
      "a batch's segments page walks the batch's index, not the primary key",
    );
    // A status's page walks the partial index holding that status, in id order (no sort).
    for (const idx of ["audio_segments_finished_batch_idx", "audio_segments_pending_batch_idx"]) {
      assert.ok(batchReads.some((n) => n["Index Name"] === idx), `a status's page walks ${idx}`);
    }
    assert.deepEqual(
      batchReads.filter((n) =>
        n["Node Type"] === "Sort" && (n["Sort Key"] ?? []).some((k) => /\bid\b/.test(k))
      ).map((n) => n["Sort Key"]),
      [],
      "a batch's segments pages come in index order (no sort by id)",
    );
  });
});

// A lookup repeated per row reads a handful each time (a key has a row per batch that covered
// it); a hundred per loop, repeated, means a walk or a re-read per row.
const MAX_ROWS_PER_LOOKUP = 100;
// A plan that expected a tenth of the rows it read was made on figures that predate them.
const MISESTIMATE = 10;

// The reads, as run (auto_explain with analyze), that cost more than they find: a walk of a whole
// index of audio_segments (no index condition) that the plan expected to be short (it believed the
// index nearly empty: its statistics predate the rows); a sequential scan of audio_segments inside
// a nested loop; and any node run once per row of an outer side that reads many rows each time.
// (One walk or scan that the plan costed right is fair at a test's size; the first test rules
// out scans at size.)
function historyWalks(all: PlanNode[]): string[] {
  const indexScans = ["Index Scan", "Index Only Scan", "Bitmap Index Scan"];
  const onHistory = (n: PlanNode) =>
    n["Relation Name"] === "audio_segments" ||
    (n["Index Name"] ?? "").startsWith("audio_segments_");
  const walks = all.filter((n) =>
    onHistory(n) && indexScans.includes(n["Node Type"]) && !n["Index Cond"] &&
    (n["Plan Rows"] ?? 0) * MISESTIMATE < (n["Actual Rows"] ?? 0)
  )
    .map((n) =>
      `${n["Node Type"]} ${n["Index Name"]}: a walk of the whole index, ${
        n["Plan Rows"]
      } rows expected, ${n["Actual Rows"]} read`
    );
  const repeated = all.filter((n) => n["Node Type"] === "Nested Loop")
    .flatMap((n) => nodes(n.Plans![1]))
    .filter((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === "audio_segments")
    .map(() => "Seq Scan audio_segments inside a nested loop");
  // As run (analyze): any node run once per row of an outer side that reads many rows each time
  // (a scan, or a sort re-read from its start) is a lookup gone quadratic, whatever its shape.
  const perLoop = (n: PlanNode) => (n["Actual Rows"] ?? 0) + (n["Rows Removed by Filter"] ?? 0);
  const quadratic = all.filter((n) =>
    (n["Actual Loops"] ?? 1) > 1 && perLoop(n) > MAX_ROWS_PER_LOOKUP
  )
    .map((n) =>
      `${n["Node Type"]} ${n["Index Name"] ?? n["Relation Name"] ?? ""}: ${
        n["Actual Loops"]
      } loops of ${perLoop(n)} rows`
    );
  return [...walks, ...repeated, ...quadratic];
}

// A catalog whose statistics were taken with no batch live (loadCatalog ends with vacuum analyze),
// with autovacuum off so nothing renews them but what the project does itself; then a start of 1,000
// words' segments and one of every segment of the catalog, in a voice the history never used.
async function twoStarts(sql: postgres.Sql) {
  await loadCatalog(sql, { words: 6_000, batches: 2 });
  for (const t of ["public.audio_segments", "public.audio_batches", "audio.segment_state"]) {
    await sql.unsafe(`alter table ${t} set (autovacuum_enabled = false)`);
  }
  const d = CATALOG_VOICE;
  const ids = (await sql`select id from public.words order by id limit 1000`).map((r) => r.id);
  const start = (wordIds: string[] | null, voice: string) =>
    sql`select batch_id, total from audio.create_batch(p_word_ids => ${wordIds}::uuid[],
      p_missing_only => false, p_voice_id => ${voice}, p_model_id => ${d.model},
      p_format => ${d.format})`;
  const [small] = await start(ids, "plans-small");
  const [big] = await start(null, "plans-big");
  assert.ok(big.total >= 18_000, `the big batch: ${big.total} segments`);
  return { small, big };
}

// twoStarts as if each start's own analyse had been skipped (autovacuum held the table): the
// planner still believes the partial index of unfinished segments empty.
async function staleStarts(sql: postgres.Sql) {
  await sql`alter table public.audio_segments disable trigger audio_segments_analyze_large_insert`;
  const starts = await twoStarts(sql);
  const [idx] = await sql`select reltuples::int as n from pg_catalog.pg_class
    where relname = 'audio_segments_pending_batch_idx'`;
  assert.equal(idx.n, 0, "the planner believes the index empty");
  return starts;
}

Deno.test(
  "a large start renews the planner's figures: the cancel right after it reads the history by lookups only",
  async () => {
    await withTestDatabase(async (url) => {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        const { small, big } = await twoStarts(sql);
        const [idx] = await sql`select reltuples::int as n from pg_catalog.pg_class
          where relname = 'audio_segments_pending_batch_idx'`;
        // The sample's estimate of the 21,000 unfinished segments, not the 0 of the load's analyse.
        assert.ok(idx.n > (small.total + big.total) / 2, `the index is believed to hold ${idx.n}`);

        const plans = await plansOf(
          url,
          (tx) => tx`select audio.cancel_batch(${big.batch_id})`,
          true,
        );
        assert.deepEqual(historyWalks(plans), [], "the cancel's reads of audio_segments");
        // The outcome: every key the small batch holds points at its segment again.
        const [held] = await sql`select count(*)::int as n from audio.segment_state
          where pending_batch = ${small.batch_id}`;
        assert.equal(held.n, small.total);
      } finally {
        await sql.end();
      }
    });
  },
);

Deno.test(
  "a key's live segment is looked up by key even when the planner believes no segment is unfinished",
  async () => {
    await withTestDatabase(async (url) => {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        const { small } = await staleStarts(sql);

        // What a finished segment and a cancel do: re-point the keys of the small batch.
        const plans = await plansOf(
          url,
          (tx) =>
            tx`select audio.refresh_pending(array_agg(word_id), array_agg(kind))
            from public.audio_segments where batch_id = ${small.batch_id}`,
        );
        assert.ok(
          plans.some((n) => n["Index Name"] === "audio_segments_word_kind_idx"),
          "the keys are looked up through audio_segments_word_kind_idx",
        );
        assert.deepEqual(historyWalks(plans), [], "refresh_pending's reads of audio_segments");
      } finally {
        await sql.end();
      }
    });
  },
);

Deno.test(
  "a start's pending check looks up each source by key even when the planner believes no segment is unfinished",
  async () => {
    await withTestDatabase(async (url) => {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        const { small } = await staleStarts(sql);
        const d = CATALOG_VOICE;
        const kinds = ["word", "definition", "sentence"];
        // How many of these words' sources (null: the catalog's) a live batch holds, missing only,
        // in the small batch's voice.
        const pendingOf = (q: postgres.Sql, words: string[] | null) =>
          q`select count(*) filter (where pending)::int as pending
            from audio.missing_segments(${words}::uuid[], null, ${kinds}, true, 'plans-small',
              ${d.model}, ${d.format})`;
        // 200 of the small batch's words: each key is pending.
        const ids = (await sql`select id from public.words order by id limit 200`).map((r) => r.id);
        const listed = await plansOf(url, (tx) => pendingOf(tx, ids), true);
        assert.ok(
          listed.some((n) => n["Index Name"] === "audio_segments_word_kind_idx"),
          "a listed source's segments are looked up through audio_segments_word_kind_idx",
        );
        assert.deepEqual(historyWalks(listed), [], "a word list's pending check");
        const [{ pending }] = await pendingOf(sql, ids);
        assert.equal(pending, 600, "every listed key is held by the small batch");

        // The whole catalog (start-batch's all, the backfill): one pass over segment_state and one
        // over the live batches' segments, not a lookup per source.
        const catalog = await plansOf(url, (tx) => pendingOf(tx, null), true);
        // One walk of the unfinished segments' index is that pass, whatever the planner believed of
        // the index's size; the history is not read.
        const repeated = (table: string) =>
          catalog.filter((n) =>
            (n["Relation Name"] === table || (n["Index Name"] ?? "").startsWith(`${table}_`)) &&
            (n["Actual Loops"] ?? 1) > 1
          ).map((n) => `${n["Node Type"]} ${n["Index Name"] ?? ""}: ${n["Actual Loops"]} loops`);
        assert.deepEqual(repeated("audio_segments"), [], "the live segments, read in one pass");
        assert.deepEqual(repeated("segment_state"), [], "the sources' state, read in one pass");
        const [all] = await pendingOf(sql, null);
        assert.equal(all.pending, small.total, "the catalog scope finds the small batch's keys");
      } finally {
        await sql.end();
      }
    });
  },
);

Deno.test(
  "a word edit rebuilds its state by key even when the planner believes no segment is unfinished",
  async () => {
    await withTestDatabase(async (url) => {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        const { big } = await staleStarts(sql);
        // An import editing 200 of the small batch's words (their definitions).
        const ids = (await sql`select id from public.words order by id limit 200`).map((r) => r.id);
        const plans = await plansOf(
          url,
          (tx) =>
            tx`update public.words set definition = definition || ' (revised)'
            where id = any (${ids}::uuid[])`,
          true,
        );
        assert.deepEqual(historyWalks(plans), [], "the rebuild's reads of audio_segments");
        // The outcome: each edited key still points at its newest live segment (the big batch's).
        const [held] = await sql`select count(*)::int as n from audio.segment_state
          where word_id = any (${ids}::uuid[]) and pending_batch = ${big.batch_id}`;
        assert.equal(held.n, 600);
      } finally {
        await sql.end();
      }
    });
  },
);
