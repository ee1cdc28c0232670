// The admin page's reads at a realistic size answer from indexes: with a catalog of thousands of
// words and a history of several segment rows per word and kind, the plans of the grade summary,
// a grade's words pages (plain, searched, filtered by state, after a cursor), the batch list and
// a batch's segments page (all, and one status) scan neither audio_segments nor word_audio
// sequentially, and the words pages walk segment_state's index. The plans are the ones Postgres
// runs (auto_explain, nested statements included), not guesses.
import assert from "node:assert/strict";
import postgres from "postgres";
import { withTestDatabase } from "../helpers/pg.ts";
import { CATALOG_VOICE, loadCatalog } from "../../scripts/catalog/load.ts";
import { wordQueries } from "../../supabase/functions/admin-api/words.ts";

// Big enough that Postgres prefers an index to a scan wherever one fits (a few thousand rows a
// grade, 180,000 segment rows), small enough to load in seconds.
const SIZE = { words: 20_000, batches: 3 };

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

// Every node of a plan tree.
function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

// Runs fn on a connection that reports the plan of every statement it runs, nested ones too.
async function plansOf(url: string, fn: (sql: postgres.Sql) => Promise<unknown>) {
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
    assert.ok(
      summary.some((n) => n["Relation Name"] === "segment_state"),
      "the summary reads segment_state",
    );
    assert.deepEqual(seqScans(summary, HISTORY), [], "grade summary");

    const pages = await plansOf(url, (sql) =>
      sql.begin(async (tx) => {
        const filters = [
          { grade: 3, q: null, state: null, limit: 50, after: null },
          { grade: 3, q: "00042", state: null, limit: 50, after: null },
          { grade: 3, q: null, state: "failed", limit: 50, after: null },
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

    const batchReads = await plansOf(url, async (sql) => {
      await sql`select id from public.audio_batches order by created_at desc limit 20`;
      await sql`select id, status from public.audio_segments
        where batch_id = ${batchId}::uuid and id > 0 order by id limit 200`;
      await sql`select id, status from public.audio_segments
        where batch_id = ${batchId}::uuid and id > 0 and status = 'failed' order by id limit 200`;
    });
    // (audio_batches holds three rows here: scanning it is cheaper than its index, and right.)
    assert.deepEqual(seqScans(batchReads, HISTORY), [], "batch reads");
  });
});
