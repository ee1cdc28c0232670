/// <reference lib="dom" />
// The admin page at catalog size, in Chromium: 100,000 words (about 8,300 a grade) loaded
// set-based into the test's database. Asserted: a search for one word finds it among them and an
// older search's late answer is dropped; the state filter narrows to the words in that state;
// scrolling to the end of the loaded rows reads the next page; the DOM holds at most 100 rows after
// scrolling through 1,000 loaded ones; the header row stays in view; every row has the one fixed
// height; axe-core finds no serious violation with 1,000 rows loaded, at 1,280 px and 390 px (no
// sideways scroll); "Load more words" works from the keyboard. Printed, not asserted (timings and
// this machine's): the first render (navigation to the first rows of the words table in the
// document) and the JS heap.
import assert from "node:assert/strict";
import type { CDPSession, Page } from "playwright-core";
import { loadCatalog } from "../../scripts/catalog/load.ts";
import { WORD_ROW_PX } from "../../admin/src/lib/config.ts";
import { LAPTOP, launch, PHONE, seriousViolations, SHOTS, sideScroll } from "../helpers/browser.ts";
import { adminHeaders, startTestStack, type TestStack, waitFor } from "../helpers/stack.ts";

const WORDS = 100_000;
// Grade 9 holds catalog words only (the sample's grades are 1 to 8): about 8,333 of them.
const GRADE = 9;
// A word of grade 9 (loadCatalog puts word n in grade 1 + n % 12; 50,000 % 12 = 8).
const SOUGHT = "catalog0050000";
// The words given audio before the page opens, for the state filter to find.
const READY_WORDS = 5;
// Rows to scroll through: five of the table's 200-word pages.
const SCROLLED_ROWS = 1000;
// The most rows the DOM may hold whatever is loaded: the box's rows plus the overscan each side.
const MAX_DOM_ROWS = 100;
// Bounds of the waits, not measurements: the machine is shared.
const LONG_MS = 120_000;
const MiB = 1024 * 1024;

const countText = (page: Page) =>
  page.getByTestId("words-count").textContent().then((t) => (t ?? "").trim());

/** Waits until the words count reads `text` ("200 of 8,333 words"). */
function waitCount(page: Page, text: string) {
  return page.waitForFunction(
    (t) => document.querySelector("[data-testid=words-count]")?.textContent === t,
    text,
    { timeout: LONG_MS },
  ).catch(async (err) => {
    throw new Error(`words count: wanted "${text}", shows "${await countText(page)}" (${err})`);
  });
}

const n = (x: number) => x.toLocaleString("en-US");

/** The word ids the DOM renders as rows, in order. */
const renderedRows = (page: Page) =>
  page.$$eval(
    "table.words tbody tr[data-testid^=word-row-]",
    (rs) => rs.map((r) => r.getAttribute("data-testid")!.slice("word-row-".length)),
  );

async function heapMiB(cdp: CDPSession): Promise<number> {
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  return usedSize / MiB;
}

/** Gives READY_WORDS words of the grade their word audio through start-batch and the worker. */
async function makeSomeReady(stack: TestStack, ids: string[]) {
  const res = await stack.call(
    "start-batch",
    { wordIds: ids, kinds: ["word"] },
    adminHeaders(stack),
  );
  assert.equal(res.status, 201, JSON.stringify(res.body));
  await waitFor("the batch completed", async () => {
    const [b] = await stack.sql`select status from public.audio_batches
      where id = ${String(res.body.batchId)}`;
    return b.status === "completed";
  }, LONG_MS);
}

Deno.test("admin page at 100,000 words: search, state filter, paging on scroll, a bounded DOM (first render and heap printed)", async () => {
  const stack = await startTestStack({
    realtime: true,
    adminPage: true,
    standin: { latencyMeanMs: 5, latencySpread: 0 },
  });
  const browser = await launch();
  try {
    await loadCatalog(stack.sql, { words: WORDS, batches: 0 });
    const grade = await stack.sql<{ id: string; word: string }[]>`
      select id::text, word from public.words where grade = ${GRADE} order by word, id`;
    assert.ok(grade.length > 8000, `grade ${GRADE} holds ${grade.length} words`);
    const ready = grade.slice(100, 100 + READY_WORDS).map((w) => w.id);
    await makeSomeReady(stack, ready);

    await Deno.mkdir(SHOTS, { recursive: true });
    const context = await browser.newContext({ viewport: LAPTOP });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // The moment the first row of the words table is in the document, on the page's own clock
    // (milliseconds since navigation started).
    await page.addInitScript(() => {
      const g = globalThis as unknown as { firstRowAt?: number };
      new MutationObserver((_, obs) => {
        if (document.querySelector("[data-testid^=word-row-]")) {
          g.firstRowAt = performance.now();
          obs.disconnect();
        }
      }).observe(document, { subtree: true, childList: true });
    });
    await page.goto(`${stack.url}/admin/#token=${stack.keys.adminJwt}`);
    await page.locator("[data-testid^=word-row-]").first().waitFor({ timeout: LONG_MS });
    const firstRenderMs = await page.evaluate(() =>
      (globalThis as unknown as { firstRowAt: number }).firstRowAt
    );
    const cdp = await context.newCDPSession(page);
    const heapAtFirst = await heapMiB(cdp);

    await page.getByTestId("grade-select").selectOption(String(GRADE));
    await waitCount(page, `200 of ${n(grade.length)} words`);
    assert.deepEqual(
      (await renderedRows(page)).slice(0, 3),
      grade.slice(0, 3).map((w) => w.id),
      "the grade's first words, in word order",
    );
    assert.equal(
      await page.locator("table.words").getAttribute("aria-rowcount"),
      String(grade.length + 1),
    );

    // Search: one word among 100,000, typed as a person types.
    const sought = grade.find((w) => w.word === SOUGHT)!;
    await page.getByTestId("word-search").pressSequentially(SOUGHT, { delay: 20 });
    await waitCount(page, "1 of 1 words");
    assert.deepEqual(await renderedRows(page), [sought.id]);

    // An older search answering after a newer one is dropped: the answer for "catalog00" (every
    // word of the grade) is held until the newer search has been shown, then let through.
    const early = /admin-api\/words\?.*q=catalog00&/;
    let release = () => {};
    const held = new Promise<void>((r) => release = r);
    let heldSent = false;
    await page.route(early, async (route) => {
      heldSent = true;
      await held;
      await route.continue();
    });
    await page.getByTestId("word-search").fill("catalog00");
    await waitFor("the earlier search is sent", () => heldSent, LONG_MS);
    const newer = page.waitForResponse(
      (r) => r.url().includes(`q=${SOUGHT}&`),
      { timeout: LONG_MS },
    );
    await page.getByTestId("word-search").fill(SOUGHT);
    await (await newer).finished();
    await waitCount(page, "1 of 1 words");
    const late = page.waitForResponse((r) => early.test(r.url()), { timeout: LONG_MS });
    release();
    await (await late).finished();
    // The page's own handling of that answer comes after the response: let its tasks run.
    await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
    assert.equal(await countText(page), "1 of 1 words", "the late answer was dropped");
    assert.deepEqual(await renderedRows(page), [sought.id]);
    await page.unroute(early);

    // The state filter narrows (the search cleared): only the words with audio are ready.
    await page.getByTestId("word-search").fill("");
    await page.getByTestId("word-state").selectOption("ready");
    await waitCount(page, `${READY_WORDS} of ${READY_WORDS} words`);
    assert.deepEqual((await renderedRows(page)).sort(), [...ready].sort());
    await page.getByTestId("word-state").selectOption("");
    await waitCount(page, `200 of ${n(grade.length)} words`);

    // Scrolling to the end of the loaded rows reads the next page, until 1,000 are loaded and
    // scrolled through; the DOM keeps to the rows in view and the overscan.
    const box = page.locator(".table-scroll");
    for (let loaded = 200; loaded < SCROLLED_ROWS; loaded += 200) {
      await box.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await waitCount(page, `${n(loaded + 200)} of ${n(grade.length)} words`);
    }
    // At the end of 1,000 loaded rows: the 1,000th word is rendered (the scroll event renders the
    // window), and the next page is read.
    await box.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await page.getByTestId(`word-row-${grade[SCROLLED_ROWS - 1].id}`).waitFor({ timeout: LONG_MS });
    await waitCount(page, `${n(SCROLLED_ROWS + 200)} of ${n(grade.length)} words`);
    const rows = await renderedRows(page);
    assert.ok(rows.length > 0 && rows.length <= MAX_DOM_ROWS, `${rows.length} rows in the DOM`);
    assert.ok(!rows.includes(grade[0].id), "the first word left the DOM");
    const header = await page.evaluate(() => {
      const th = document.querySelector("table.words thead th")!.getBoundingClientRect();
      const boxTop = document.querySelector(".table-scroll")!.getBoundingClientRect().top;
      return th.top - boxTop;
    });
    assert.ok(Math.abs(header) < 1, `the header row stays at the box's top (${header} px off)`);
    // The window's arithmetic holds only if every row has the one fixed height.
    const heights = await page.$$eval(
      "table.words tbody tr[data-testid^=word-row-]",
      (rs) => [...new Set(rs.map((r) => Math.round(r.getBoundingClientRect().height)))],
    );
    assert.deepEqual(heights, [WORD_ROW_PX], "every row is WORD_ROW_PX tall");
    const heapAfterScroll = await heapMiB(cdp);
    const loadedThen = await countText(page);
    await page.screenshot({ path: `${SHOTS}/admin-catalog-1280.png` });

    assert.deepEqual(await seriousViolations(page), [], "1,000 rows loaded at 1,280 px");
    await page.setViewportSize(PHONE);
    assert.equal(await sideScroll(page), 0, "no sideways scroll at 390 px");
    assert.deepEqual(await seriousViolations(page), [], "1,000 rows loaded at 390 px");
    assert.deepEqual(
      await page.$$eval(
        "table.words tbody tr[data-testid^=word-row-]",
        (rs) => [...new Set(rs.map((r) => Math.round(r.getBoundingClientRect().height)))],
      ),
      [WORD_ROW_PX],
      "every row is WORD_ROW_PX tall on a phone too",
    );
    await page.screenshot({ path: `${SHOTS}/admin-catalog-390.png` });

    // "Load more words" reads the next page from the keyboard too.
    await page.getByTestId("words-more").focus();
    await page.keyboard.press("Enter");
    await waitCount(page, `${n(SCROLLED_ROWS + 400)} of ${n(grade.length)} words`);

    console.log(
      `admin page at ${n(WORDS)} words: first render ${firstRenderMs.toFixed(0)} ms ` +
        `(navigation to the first rows); JS heap ${heapAtFirst.toFixed(1)} MiB at first ` +
        `render, ${heapAfterScroll.toFixed(1)} MiB after scrolling through ${n(SCROLLED_ROWS)} ` +
        `rows (${loadedThen} loaded, ${rows.length} rows in the DOM)`,
    );
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await browser.close();
    await stack.close();
  }
});
