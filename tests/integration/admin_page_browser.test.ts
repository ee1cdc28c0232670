/// <reference lib="dom" />
// The admin page's everyday details in Chromium against the in-process stack: figures that mean
// what they say (the share done, failures and cancels apart, statuses in words, no rate in the
// first seconds), one start request per double click, notices tied to their batch, Generate off at
// "(0)"; axe-core's WCAG 2 A/AA check with no serious or critical violation at phone and laptop
// widths, no sideways scroll on a phone; and one full flow by keyboard alone (sign in → generate →
// cancel → generate → retry); the history (live row, who, its grade, older batches); a read that
// failed offline recovers by itself, with a plain banner.
// Screenshots at both widths go to .local/screenshots/.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  focusedTestId,
  LAPTOP,
  launch,
  openPage,
  PHONE,
  seriousViolations,
  SHOTS,
  sideScroll,
  tabTo,
} from "../helpers/browser.ts";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

// Generous: the machine is shared; these bound waits, they do not measure anything.
const LONG_MS = 120_000;
/** No provider retries and no circuit for 5xx: an injected 5xx fails its segment at once, so a
 * batch ends "completed with errors" quickly and with the same failures every run (seeded). */
const FAILING = { AUDIO_MAX_RETRIES: "0", AUDIO_CIRCUIT_5XX_SEGMENTS: "1000" };
const FAULT_SEED = 13;

const text = (page: Page, id: string) =>
  page.getByTestId(id).textContent().then((t) => (t ?? "").trim());

interface BatchRow {
  id: string;
  status: string;
  total: number;
  done: number;
  failed: number;
  cancelled: number;
}

async function latestBatch(stack: TestStack): Promise<BatchRow> {
  const [b] = await stack.sql<BatchRow[]>`select id, status, total, done, failed, cancelled
    from public.audio_batches order by created_at desc limit 1`;
  return b;
}

function waitStatus(page: Page, status: string) {
  return page.waitForFunction(
    (s) => document.querySelector("[data-testid=batch-status]")?.textContent === s,
    status,
    { timeout: LONG_MS },
  );
}

function waitDone(page: Page, atLeast: number) {
  return page.waitForFunction(
    (n) => Number(document.querySelector("[data-testid=progress-done]")?.textContent) >= n,
    atLeast,
    { timeout: LONG_MS },
  );
}

/** Every text the rate and ETA showed, recorded in the page as it changes. */
function recordRateTexts(page: Page) {
  return page.addInitScript(() => {
    const seen: Record<string, string[]> = { rate: [], eta: [] };
    (globalThis as unknown as { seen: typeof seen }).seen = seen;
    const note = (key: string, id: string) => {
      const t = document.querySelector(`[data-testid=${id}]`)?.textContent;
      if (t && seen[key].at(-1) !== t) seen[key].push(t);
    };
    new MutationObserver(() => {
      note("rate", "progress-throughput");
      note("eta", "progress-eta");
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

async function assertShare(page: Page, b: { total: number; done: number }) {
  const pct = Math.floor((b.done / b.total) * 100);
  assert.equal(await text(page, "progress-percent"), `${pct}%`);
  assert.equal(await page.getByTestId("progress-bar").getAttribute("aria-valuenow"), String(pct));
}

Deno.test("admin page: the share done, failures and cancels apart, one start per double click, notices tied to their batch", async () => {
  await Deno.mkdir(SHOTS, { recursive: true });
  const stack = await startTestStack({
    realtime: true,
    adminPage: true,
    settings: FAILING,
    standin: { latencyMeanMs: 120, latencySpread: 0.3, rate5xx: 0.2, seed: FAULT_SEED },
  });
  const browser = await launch();
  try {
    const { page, errors, starts, close } = await openPage(browser, stack, stack.keys.adminJwt);
    await recordRateTexts(page);
    await page.reload();
    await page.getByTestId("grade-select").waitFor({ timeout: LONG_MS });
    await page.getByTestId("grade-select").selectOption("2");
    await page.getByTestId("generate-missing").dblclick();
    await page.getByTestId("notice").filter({ hasText: "Batch started" }).waitFor({
      timeout: LONG_MS,
    });
    await waitStatus(page, "completed with errors");
    const first = await latestBatch(stack);
    assert.equal(starts.length, 1, "a double click sends one start request");
    assert.equal(first.status, "completed_with_errors");
    assert.ok(first.failed > 0 && first.done > 0, `some failed (${first.failed})`);
    await assertShare(page, first);
    assert.equal(Number(await text(page, "progress-failed")), first.failed);
    assert.equal(
      await page.getByTestId("batch-connection").count(),
      0,
      "an ended batch is not live",
    );
    // The batch's end time comes with the re-read its final progress message triggers.
    await page.getByTestId("notice").waitFor({ state: "detached", timeout: LONG_MS }).catch(
      () => {},
    );
    assert.equal(
      await page.getByTestId("notice").count(),
      0,
      "the start notice left with its batch",
    );
    assert.match(await text(page, `batch-row-${first.id}`), /completed with errors/);
    // Failures to act on: grouped by reason with counts that add up, each named by word and kind,
    // and the reason readable in the table (not only in a tooltip).
    const groups = await page.$$eval("[data-testid=failure-group]", (gs) =>
      gs.map((g) => ({
        count: Number(g.querySelector(".failure-count")?.textContent?.replace(/\D/g, "")),
        text: g.textContent ?? "",
        items: [...g.querySelectorAll("li")].map((li) => li.textContent ?? ""),
      })));
    assert.ok(groups.length >= 1);
    assert.equal(
      groups.reduce((n, g) => n + g.count, 0),
      first.failed,
      "every failure counted once",
    );
    for (const g of groups) {
      assert.match(g.text, /Cartesia answered 50\d/);
      assert.doesNotMatch(g.text, /gave up after/);
      assert.ok(g.items.length >= 1);
      for (const item of g.items) {
        assert.match(item, /^“[^”]+” — (word|definition|sentence)$|^…and \d+ more$/);
      }
    }
    // (The words are read again once the batch ends; the reasons come with them.)
    await page.locator("[data-testid^=seg-reason-]").first().waitFor({ timeout: LONG_MS });
    const reasons = await page.locator("[data-testid^=seg-reason-]").allTextContents();
    for (const r of reasons) assert.match(r, /^Cartesia answered 50\d/);
    assert.equal(await text(page, "signed-in-as"), "admin@example.test");
    assert.match(await text(page, `batch-row-${first.id}`), /grade 2 · by you$/);
    const seen = await page.evaluate(() =>
      (globalThis as unknown as { seen: Record<string, string[]> }).seen
    );
    assert.equal(seen.rate[0], "measuring the rate…", `no rate at first: ${seen.rate}`);
    assert.equal(seen.eta[0], "—", `no ETA at first: ${seen.eta}`);
    assert.ok(!seen.rate.some((t) => /^0\.0 /.test(t)), `never "0.0 segments/s": ${seen.rate}`);

    // The failures succeed when retried: the retry's notice shows until the batch ends again.
    stack.cartesia.configure({ rate5xx: 0 });
    await page.getByTestId("retry-failed").click();
    await page.getByTestId("notice").filter({
      hasText: `${first.failed} failed segments queued again`,
    })
      .waitFor({ timeout: LONG_MS });
    await waitStatus(page, "completed");
    await page.getByTestId("notice").waitFor({ state: "detached", timeout: LONG_MS });
    const retried = await latestBatch(stack);
    assert.equal(retried.done, retried.total);
    await assertShare(page, retried);
    assert.equal(await text(page, "progress-percent"), "100%");
    // Nothing left to generate in grade 2: Generate is off, and says why.
    await page.waitForFunction(
      () =>
        /: 0\)$/.test(document.querySelector("[data-testid=generate-missing]")?.textContent ?? ""),
      null,
      { timeout: LONG_MS },
    );
    assert.equal(await page.getByTestId("generate-missing").getAttribute("aria-disabled"), "true");
    await page.getByTestId("generate-missing").click({ force: true });
    assert.equal(starts.length, 1, "Generate at (0) sends nothing");

    // A slower batch cancelled part-way: the share done is the done ones only.
    stack.cartesia.configure({ latencyMeanMs: 400 });
    await page.getByTestId("grade-select").selectOption("3");
    await page.getByTestId("generate-missing").click();
    await page.waitForFunction(
      (id) => {
        const h = document.querySelector(".batch h2 code")?.textContent ?? "";
        return h !== "" && !id.startsWith(h);
      },
      String(first.id),
      { timeout: LONG_MS },
    );
    await waitDone(page, 3);
    await page.getByTestId("cancel-batch").click();
    await waitStatus(page, "cancelled");
    const cancelled = await latestBatch(stack);
    assert.ok(cancelled.cancelled > 0 && cancelled.done < cancelled.total);
    await assertShare(page, cancelled);
    assert.notEqual(await text(page, "progress-percent"), "100%");
    assert.equal(Number(await text(page, "progress-cancelled")), cancelled.cancelled);
    assert.equal(await page.getByTestId("batch-connection").count(), 0);
    assert.equal(
      await page.getByTestId("retry-failed").getAttribute("aria-disabled"),
      "true",
      "a cancelled batch is not offered a retry",
    );
    await page.screenshot({ path: `${SHOTS}/admin-cancelled.png` });
    // The history's row of the followed batch shows its counts as they are; following the first
    // batch from the history shows grade 2's words again.
    assert.match(
      await text(page, `batch-row-${cancelled.id}`),
      new RegExp(`${cancelled.done}/${cancelled.total} done`),
    );
    await page.getByTestId(`batch-row-${first.id}`).click();
    await page.waitForFunction(
      () =>
        (document.querySelector("[data-testid=grade-select]") as HTMLSelectElement).value === "2",
      null,
      { timeout: LONG_MS },
    );
    const [w2] = await stack.sql`select id from public.words where grade = 2 limit 1`;
    await page.getByTestId(`word-row-${w2.id}`).waitFor({ timeout: LONG_MS });
    assert.deepEqual(errors, []);
    await close();
  } finally {
    await browser.close();
    await stack.close();
  }
});

Deno.test("admin page: no serious axe violation and no sideways scroll at 390 px and 1,280 px", async () => {
  await Deno.mkdir(SHOTS, { recursive: true });
  const stack = await startTestStack({
    realtime: true,
    adminPage: true,
    settings: FAILING,
    standin: { latencyMeanMs: 250, latencySpread: 0.3, rate5xx: 0.1, seed: FAULT_SEED },
  });
  const browser = await launch();
  try {
    const { page, errors, close } = await openPage(browser, stack, stack.keys.adminJwt);
    await page.getByTestId("grade-select").waitFor({ timeout: LONG_MS });
    // The skip link is the first stop of the keyboard and leads into the main landmark.
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.className), "skip-link");
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "main");

    await page.getByTestId("grade-select").selectOption("4");
    await page.getByTestId("generate-missing").click();
    await waitDone(page, 6);
    // The words table follows the batch live: segments turn ready while it still runs.
    await page.waitForFunction(
      () =>
        document.querySelector("[data-testid=batch-status]")?.textContent === "running" &&
        [...document.querySelectorAll("[data-testid^=seg-state-]")]
            .filter((e) => e.textContent === "ready").length >= 3,
      null,
      { timeout: LONG_MS },
    );
    assert.deepEqual(await seriousViolations(page), [], "mid-batch at 1,280 px");
    await page.screenshot({ path: `${SHOTS}/admin-1280.png` });
    await page.setViewportSize(PHONE);
    assert.equal(await sideScroll(page), 0, "no sideways scroll at 390 px mid-batch");
    assert.deepEqual(await seriousViolations(page), [], "mid-batch at 390 px");

    await waitStatus(page, "completed with errors");
    await page.waitForFunction(
      () => document.querySelectorAll("button.play").length > 0,
      null,
      { timeout: LONG_MS },
    );
    assert.equal(await sideScroll(page), 0, "no sideways scroll at 390 px");
    // The words table scrolls inside its own box, within the screen.
    const box = await page.evaluate(() => {
      const el = document.querySelector(".table-scroll")!;
      return { right: el.getBoundingClientRect().right, overflow: getComputedStyle(el).overflowX };
    });
    assert.ok(box.right <= PHONE.width, `the table's box ends at ${box.right}`);
    assert.equal(box.overflow, "auto");
    // Thumb-sized controls on a phone: WCAG 2.5.5's 44 px.
    const heights = await page.$$eval(
      ".grades button, .actions button",
      (bs) => bs.map((b) => b.getBoundingClientRect().height),
    );
    assert.ok(heights.length >= 4 && heights.every((h) => h >= 44), `button heights ${heights}`);
    assert.deepEqual(await seriousViolations(page), [], "ended batch at 390 px");
    await page.screenshot({ path: `${SHOTS}/admin-390.png` });
    await page.setViewportSize(LAPTOP);
    assert.deepEqual(await seriousViolations(page), [], "ended batch at 1,280 px");

    assert.equal(await page.locator("link[rel=icon]").count(), 1, "a favicon");
    // One small polite live region; play buttons named by word and kind.
    assert.equal(
      await page.locator("[aria-live], [role=status], [role=log]").count(),
      1,
      "one live region",
    );
    assert.equal(await page.locator("[aria-live]").getAttribute("aria-live"), "polite");
    assert.match(
      await text(page, "progress-announce"),
      /^Batch completed with errors: \d+% done\.$/,
    );
    const labels = await page.$$eval("button.play", (bs) => bs.map((b) => b.ariaLabel ?? ""));
    assert.ok(labels.length > 0);
    for (const l of labels) assert.match(l, /^Play (word audio|definition|sentence) of “.+”$/);
    assert.deepEqual(errors, []);
    await close();
  } finally {
    await browser.close();
    await stack.close();
  }
});

Deno.test("admin page by keyboard alone: sign in, generate, cancel, generate, retry; focus stays put", async () => {
  const stack = await startTestStack({
    realtime: true,
    adminPage: true,
    settings: FAILING,
    standin: { latencyMeanMs: 500, latencySpread: 0.3, seed: FAULT_SEED },
  });
  const browser = await launch();
  try {
    const { page, errors, starts, close } = await openPage(browser, stack, null, PHONE);
    // Sign in: the dev-token form is the first field on the local stack.
    await page.getByTestId("signin-token").waitFor({ timeout: LONG_MS });
    await tabTo(page, "signin-token");
    await page.keyboard.type(stack.keys.adminJwt);
    await page.keyboard.press("Enter");
    // The grades have loaded once the chosen grade's counts show.
    await page.getByTestId("grade-counts").waitFor({ timeout: LONG_MS });

    // Generate grade 1 (slow requests), then cancel it part-way.
    await tabTo(page, "generate-missing");
    await page.keyboard.press("Enter");
    await page.getByTestId("notice").waitFor({ timeout: LONG_MS });
    assert.equal(await focusedTestId(page), "generate-missing", "focus stays after Enter");
    await waitDone(page, 3);
    await tabTo(page, "cancel-batch");
    await page.keyboard.press("Enter");
    await waitStatus(page, "cancelled");
    assert.equal(await focusedTestId(page), "cancel-batch", "focus stays after Enter");

    // Generate grade 2 with failures, then retry them once the provider is well.
    stack.cartesia.configure({ latencyMeanMs: 100, rate5xx: 0.2 });
    // The grade picker is above the batch panel: back up to it, as a keyboard user would.
    await tabTo(page, "grade-select", { back: true });
    await page.keyboard.press("ArrowDown");
    await page.waitForFunction(
      () =>
        (document.querySelector("[data-testid=grade-select]") as HTMLSelectElement).value === "2",
      null,
      { timeout: LONG_MS },
    );
    await tabTo(page, "generate-missing");
    await page.keyboard.press("Enter");
    await waitStatus(page, "completed with errors");
    stack.cartesia.configure({ rate5xx: 0 });
    await tabTo(page, "retry-failed");
    await page.keyboard.press("Enter");
    await page.getByTestId("notice").filter({ hasText: "queued again" }).waitFor({
      timeout: LONG_MS,
    });
    await waitStatus(page, "completed");
    assert.equal(await focusedTestId(page), "retry-failed", "focus stays after Enter");
    const b = await latestBatch(stack);
    assert.equal(b.status, "completed");
    assert.equal(b.done, b.total);
    assert.equal(starts.length, 2);
    assert.deepEqual(errors, []);
    await close();
  } finally {
    await browser.close();
    await stack.close();
  }
});

Deno.test("admin page: older batches on request; a read that failed offline is retried when the connection is back, with a plain banner", async () => {
  const stack = await startTestStack({ realtime: true, adminPage: true });
  const browser = await launch();
  try {
    // 25 nightly backfills of the past weeks: more than the history's first page.
    await stack.sql`insert into public.audio_batches
      (status, total, done, source, voice_id, model_id, format, kinds, created_at, finished_at)
      select 'completed', 0, 0, 'backfill', 'v', 'm', 'mp3', array['word'],
        now() - make_interval(days => g), now() - make_interval(days => g)
      from generate_series(1, 25) as g`;
    const { page, errors, close } = await openPage(browser, stack, stack.keys.adminJwt);
    await page.getByTestId("grade-select").waitFor({ timeout: LONG_MS });
    await page.locator("table.words").waitFor({ timeout: LONG_MS });
    const rows = page.locator("[data-testid=batch-history] li");
    await page.waitForFunction(
      () => document.querySelectorAll("[data-testid=batch-history] li").length === 20,
      null,
      { timeout: LONG_MS },
    );
    assert.match((await rows.first().textContent()) ?? "", /nightly backfill$/);
    await page.getByTestId("history-more").click();
    await page.waitForFunction(
      () => document.querySelectorAll("[data-testid=batch-history] li").length === 25,
      null,
      { timeout: LONG_MS },
    );
    assert.equal(await page.getByTestId("history-more").count(), 0, "nothing older to show");
    await page.context().setOffline(true);
    await page.getByTestId("grade-select").selectOption("5");
    const banner = page.getByTestId("load-problem");
    await banner.waitFor({ timeout: LONG_MS });
    const shown = (await banner.textContent()) ?? "";
    assert.match(shown, /did not answer: check the network connection/);
    assert.doesNotMatch(
      shown,
      /admin-api|functions\/v1|http_|network\)/,
      "no request paths or codes",
    );
    await page.context().setOffline(false);
    await banner.waitFor({ state: "detached", timeout: LONG_MS });
    // Grade 5's words arrived without a click.
    const [w] = await stack.sql`select id from public.words where grade = 5 limit 1`;
    await page.getByTestId(`word-row-${w.id}`).waitFor({ timeout: LONG_MS });
    assert.deepEqual(errors, []);
    await close();
  } finally {
    await browser.close();
    await stack.close();
  }
});

Deno.test("admin page: #token= on hash change signs in and leaves the address bar; one word regenerated; stale audio plays and the player says what", async () => {
  const stack = await startTestStack({
    realtime: true,
    adminPage: true,
    standin: { latencyMeanMs: 40, latencySpread: 0.3 },
  });
  const browser = await launch();
  try {
    const { page, errors, starts, close } = await openPage(browser, stack, null);
    await page.getByTestId("signin-token").waitFor({ timeout: LONG_MS });
    // On the local stack the dev token is the sign-in's first field.
    await page.keyboard.press("Tab");
    assert.equal(await focusedTestId(page), "signin-token");
    await page.evaluate((t) => {
      location.hash = `#token=${t}`;
    }, stack.keys.adminJwt);
    await page.getByTestId("grade-select").waitFor({ timeout: LONG_MS });
    assert.equal(await page.evaluate(() => location.hash), "", "the token left the address bar");

    const [w] = await stack.sql<{ id: string; word: string }[]>`
      select id, word from public.words where grade = 1 order by word limit 1`;
    await page.getByTestId(`regenerate-${w.id}`).click();
    await page.getByTestId("notice").filter({ hasText: "Batch started: 3 segments queued." })
      .waitFor({ timeout: LONG_MS });
    assert.equal(starts.length, 1);
    assert.deepEqual(JSON.parse(starts[0]), { wordIds: [w.id], missingOnly: false });
    await waitStatus(page, "completed");
    // The ended batch says what it sent the provider: its three texts' characters.
    const [sent] = await stack
      .sql`select sum(char_length(text))::int as n from public.audio_segments
      where word_id = ${w.id} and status = 'done' and not reused`;
    await page.getByTestId("batch-characters")
      .filter({ hasText: `${sent.n.toLocaleString("en-US")} characters generated` })
      .waitFor({ timeout: LONG_MS });
    await page.getByTestId(`play-${w.id}-definition`).waitFor({ timeout: LONG_MS });

    // The definition is edited: its audio is stale, still playable, and says so.
    await stack.sql`update public.words set definition = definition || ' (revised)'
      where id = ${w.id}`;
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.waitForFunction(
      (id) =>
        document.querySelector(`[data-testid=seg-state-${id}-definition]`)?.textContent ===
          "stale",
      w.id,
      { timeout: LONG_MS },
    );
    const play = page.getByTestId(`play-${w.id}-definition`);
    assert.match((await play.getAttribute("aria-label")) ?? "", /made for an older text/);
    await play.click();
    await page.waitForFunction(
      () => {
        const a = document.querySelector("[data-testid=audio-player]") as HTMLAudioElement | null;
        return !!a && a.readyState >= 1 && a.duration > 0;
      },
      null,
      { timeout: LONG_MS },
    );
    assert.equal(await text(page, "now-playing"), `Playing “${w.word}” — definition`);
    assert.deepEqual(errors, []);
    await close();
  } finally {
    await browser.close();
    await stack.close();
  }
});
