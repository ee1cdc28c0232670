/// <reference lib="dom" />
// Estimate, then confirm, in Chromium by keyboard alone: Generate asks start-batch for an estimate
// first; a small batch starts at once, a batch of the whole catalog waits in a dialog that shows
// the estimate's numbers, takes the focus and gives it back, keeps Tab inside, and starts nothing
// on Escape or Cancel; Confirm starts exactly the batch estimated. axe-core checks the open
// dialog at phone width; a screenshot goes to .local/screenshots/.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  focusedTestId,
  launch,
  openPage,
  PHONE,
  seriousViolations,
  SHOTS,
  tabTo,
  testIdText,
} from "../helpers/browser.ts";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

// Generous: the machine is shared; these bound waits, they do not measure anything.
const LONG_MS = 120_000;

const batchCount = (stack: TestStack) =>
  stack.sql`select count(*)::int as n from public.audio_batches`.then((r) => r[0].n as number);

async function openDialog(page: Page) {
  await page.keyboard.press("Enter");
  await page.getByRole("dialog", { name: "Start this batch?" }).waitFor({ timeout: LONG_MS });
  await page.waitForFunction(
    () => document.activeElement?.getAttribute("data-testid") === "confirm-start-cancel",
    null,
    { timeout: LONG_MS },
  );
}

async function dialogClosed(page: Page) {
  await page.getByTestId("confirm-start").waitFor({ state: "detached", timeout: LONG_MS });
  assert.equal(await focusedTestId(page), "generate-all", "the focus is back on Generate");
}

Deno.test("admin page: a small batch starts at once; the whole catalog waits for Confirm, Escape and Cancel start nothing (keyboard only)", async () => {
  await Deno.mkdir(SHOTS, { recursive: true });
  const stack = await startTestStack({ realtime: true, adminPage: true });
  const browser = await launch();
  try {
    // A fresh heartbeat of a worker that does not run: start-batch kicks none, so the batches
    // stay queued and the estimate's figures stay put while the test reads them.
    await stack.sql`insert into audio.workers (holder) values ('test: no worker')`;
    const { page, errors, starts, estimates, close } = await openPage(
      browser,
      stack,
      stack.keys.adminJwt,
      PHONE,
    );
    await page.getByTestId("grade-counts").waitFor({ timeout: LONG_MS });

    // Grade 1 (135 segments): estimated, then started at once.
    await tabTo(page, "generate-missing");
    await page.keyboard.press("Enter");
    await page.getByTestId("notice").filter({ hasText: "Batch started" }).waitFor({
      timeout: LONG_MS,
    });
    assert.equal(estimates.length, 1);
    assert.equal(starts.length, 1);
    assert.equal(await page.getByTestId("confirm-start").count(), 0, "no dialog for a grade");

    // The whole catalog: the dialog with the estimate, and nothing started.
    const [want] = await stack.sql`
      select count(*)::int - 135 as queued, sum(char_length(text))::int as chars
      from audio.segment_sources`;
    await tabTo(page, "generate-all");
    await openDialog(page);
    assert.equal(starts.length, 1, "the dialog starts nothing");
    assert.deepEqual(JSON.parse(estimates[1]), { all: true, missingOnly: true, dryRun: true });
    assert.match(
      await testIdText(page, "estimate-queued"),
      new RegExp(`^${want.queued.toLocaleString("en-US")} segments`),
    );
    assert.match(await testIdText(page, "estimate-pending"), /^135 segments another batch/);
    assert.match(await testIdText(page, "estimate-characters"), /^[\d,]+ \(Cartesia bills/);
    assert.match(await testIdText(page, "estimate-time"), /at 3 requests at a time/);
    assert.deepEqual(await seriousViolations(page), [], "axe: the open dialog");
    await page.screenshot({ path: `${SHOTS}/confirm-start-phone.png`, fullPage: false });

    // Tab stays inside: Cancel → Start → Cancel.
    await page.keyboard.press("Tab");
    assert.equal(await focusedTestId(page), "confirm-start-go");
    await page.keyboard.press("Tab");
    assert.equal(await focusedTestId(page), "confirm-start-cancel");

    // Escape cancels.
    await page.keyboard.press("Escape");
    await dialogClosed(page);
    // Cancel cancels.
    await openDialog(page);
    await page.keyboard.press("Enter");
    await dialogClosed(page);
    assert.equal(starts.length, 1, "Escape and Cancel started nothing");
    assert.equal(await batchCount(stack), 1);

    // Confirm starts the batch estimated.
    await openDialog(page);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await dialogClosed(page);
    await page.getByTestId("notice").filter({ hasText: "Batch started" }).waitFor({
      timeout: LONG_MS,
    });
    assert.equal(starts.length, 2);
    assert.deepEqual(JSON.parse(starts[1]), { all: true, missingOnly: true });
    const [b] = await stack.sql`
      select total, status from public.audio_batches order by created_at desc limit 1`;
    assert.equal(b.total, want.queued, "the batch holds what the estimate said");
    // The history names it by its scope, not as a list of chosen words.
    const [all] = await stack.sql`select id from public.audio_batches where scope = 'all'`;
    await page.getByTestId(`batch-row-${all.id}`).filter({ hasText: "all grades" })
      .waitFor({ timeout: LONG_MS });
    assert.equal(await batchCount(stack), 2);
    assert.deepEqual(errors, []);
    for (const r of await stack.sql`select id from public.audio_batches`) {
      await stack.sql`select audio.cancel_batch(${r.id}::uuid)`;
    }
    await close();
  } finally {
    await browser.close();
    await stack.close();
  }
});
