/// <reference lib="dom" />
// A large batch followed live by the admin page in Chromium, at C = 15 with a ~1 ms provider: the
// page follows the database's Broadcast messages (batch:<id> and batches) and must end at exactly
// the database's counts, having received at most a quarter of a message per segment. It prints
// the figures that are not asserted, being timings or this machine's: how long after the batch's
// end the page showed it, how promptly the page answered while messages arrived, its JS heap.
//
// The size is AQ_LIVE_SEGMENTS segments (default 3,000, under two minutes in the suite on a shared
// 2-core machine); `scripts/bench live --segments 30000` runs this file at 30,000.
import assert from "node:assert/strict";
import type { CDPSession, Page, WebSocket } from "playwright-core";
import { latestBatch, launch, openAs } from "../helpers/browser.ts";
import { startTestStack, waitFor } from "../helpers/stack.ts";

// Three segments a word; the default keeps the suite's run time reasonable (see above).
const SEGMENTS = Number(Deno.env.get("AQ_LIVE_SEGMENTS") ?? "3000");
const WORDS = Math.ceil(SEGMENTS / 3);
const CONCURRENCY = 15;
// The budget audio.broadcast_batch keeps to: a quarter of a message per segment.
const MAX_MESSAGES_PER_SEGMENT = 0.25;
// Bounds of the waits, not measurements: the batch gets 100 ms per segment (a shared 2-core
// machine running the workers, the database, the stand-ins and the browser at once has managed
// 13 to 40 segments a second), the page a minute more to show the end.
const BATCH_MS = 120_000 + SEGMENTS * 100;
const CATCH_UP_MS = 60_000;
const PROBE_EVERY_MS = 200;
const GRADE = 77;
const MiB = 1024 * 1024;

/** Counts the Broadcast frames the page receives (realtime-js vsn 2.0.0: binary, kind 4). */
function countBroadcasts(page: Page): { received: number } {
  const count = { received: 0 };
  page.on("websocket", (ws: WebSocket) => {
    ws.on("framereceived", (f) => {
      const p = f.payload;
      if (typeof p !== "string" && p.length > 0 && p[0] === 4) count.received++;
      else if (typeof p === "string" && p.includes('"broadcast"')) count.received++;
    });
  });
  return count;
}

/** The page's JS heap in use, in bytes (after a collection when asked). */
async function heapUsed(cdp: CDPSession, collect = false): Promise<number> {
  if (collect) await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  return usedSize;
}

interface Shown {
  status: string;
  done: number;
  failed: number;
}

function shownOnPage(page: Page): Promise<Shown> {
  return page.evaluate(() => {
    const t = (id: string) =>
      (document.querySelector(`[data-testid=${id}]`)?.textContent ?? "").trim();
    return {
      status: t("batch-status"),
      done: Number(t("progress-done")),
      failed: Number(t("progress-failed")),
    };
  });
}

Deno.test(`admin page: a ${SEGMENTS}-segment batch followed live ends at the database's counts within the message budget (figures printed)`, async () => {
  const stack = await startTestStack({
    realtime: true,
    adminPage: true,
    settings: { AUDIO_GENERATION_CONCURRENCY: String(CONCURRENCY) },
    standin: { latencyMeanMs: 1, latencySpread: 0 },
  });
  const browser = await launch();
  try {
    await stack.sql`delete from public.words where grade = ${GRADE}`;
    await stack.sql`insert into public.words (word, definition, example_sentence, grade)
      select 'live ' || i, 'live definition ' || i, 'live sentence ' || i, ${GRADE}::smallint
      from generate_series(1, ${WORDS}) as i`;
    const { page, errors, close } = await openAs(browser, stack, stack.keys.adminJwt);
    const frames = countBroadcasts(page);
    const cdp = await page.context().newCDPSession(page);
    await page.getByTestId("grade-select").waitFor({ timeout: 120_000 });
    await page.getByTestId("grade-select").selectOption(String(GRADE));
    const before = frames.received;
    const started = performance.now();
    await page.getByTestId("generate-missing").click();
    // A batch this large waits for the admin's confirmation.
    await page.getByTestId("confirm-start-go").click({ timeout: 120_000 });
    // One more worker beside the kicked one, so the updates come as densely as C allows.
    await waitFor("the batch is written", async () => (await latestBatch(stack)) !== undefined);
    const extra = stack.worker();

    const lags: number[] = [];
    let peakHeap = 0;
    let dbEnded: { at: number; done: number; failed: number } | null = null;
    let shown: Shown = { status: "", done: -1, failed: -1 };
    let shownAt: number | null = null;
    // Bounded: the batch gets BATCH_MS, the page CATCH_UP_MS more to show its end.
    while (
      performance.now() - started < BATCH_MS &&
      (dbEnded === null || performance.now() - dbEnded.at < CATCH_UP_MS)
    ) {
      const t = performance.now();
      shown = await shownOnPage(page);
      lags.push(performance.now() - t);
      peakHeap = Math.max(peakHeap, await heapUsed(cdp));
      if (dbEnded === null) {
        const [b] = await stack.sql`select status, done, failed,
            extract(epoch from finished_at) * 1000 as finished_ms
          from public.audio_batches order by created_at desc limit 1`;
        if (b.status === "completed" || b.status === "completed_with_errors") {
          // The end as the database stamped it, on this clock (same machine).
          const endedAgo = Date.now() - Number(b.finished_ms);
          dbEnded = { at: performance.now() - endedAgo, done: b.done, failed: b.failed };
        }
      }
      if (
        dbEnded && shown.status.startsWith("completed") && shown.done === dbEnded.done &&
        shown.failed === dbEnded.failed
      ) {
        shownAt = performance.now();
        break;
      }
      await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
    }
    await extra;
    const received = frames.received - before;
    const endHeap = await heapUsed(cdp, true);
    const b = await latestBatch(stack);
    const [budget] = await stack.sql`select (paced_messages + status_messages)::int as spent
      from audio.batch_broadcasts where batch_id = ${b.id as string}`;
    lags.sort((x, y) => x - y);
    const s = (ms: number) => (ms / 1000).toFixed(1);
    console.log(
      `${b.total}-segment batch at C = ${CONCURRENCY}: the database ended it after ${
        dbEnded ? s(dbEnded.at - started) : "-"
      } s; the page showed its exact counts ${
        shownAt !== null && dbEnded ? s(shownAt - dbEnded.at) : "never"
      } s after that; the page received ${received} Broadcast messages ` +
        `(${(received / b.total).toFixed(3)} per segment; the database counts ${budget?.spent} ` +
        `of its own budget); it answered probes in median ${
          lags[Math.floor(lags.length / 2)].toFixed(0)
        } ms, max ${lags.at(-1)!.toFixed(0)} ms (${lags.length} probes); JS heap peak ${
          (peakHeap / MiB).toFixed(1)
        } MiB, ${(endHeap / MiB).toFixed(1)} MiB after a collection at the end`,
    );
    assert.equal(b.total, WORDS * 3);
    assert.equal(b.status, "completed");
    assert.deepEqual(
      [shown.status, shown.done, shown.failed],
      [b.status, b.done, b.failed],
      "the page ends at the database's counts",
    );
    assert.ok(received > 0, "the page followed the broadcasts");
    assert.ok(
      received <= b.total * MAX_MESSAGES_PER_SEGMENT,
      `${received} messages for ${b.total} segments`,
    );
    assert.deepEqual(errors, []);
    await close();
  } finally {
    await stack.sql`delete from public.words where grade = ${GRADE}`.catch(() => {});
    await browser.close();
    await stack.close();
  }
});
