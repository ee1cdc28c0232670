/// <reference lib="dom" />
// The admin page in a real browser (Debian's Chromium driven by playwright-core) against the
// in-process stack: gateway with functions, Storage, the Realtime stand-in and the built page.
// A non-admin is refused; an admin generates a grade and watches it reach 100 %, plays a file,
// cancels a second batch midway; a paused provider shows its reason and Resume closes the circuit;
// a dropped Realtime connection heals to the database's counts; channels closed by the server are
// joined again and the page is live again; the health's problems show as a warning; config.js
// carries no secret. Screenshots go to .local/screenshots/. A large batch
// followed live is admin_live.test.ts.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { latestBatch, launch, openAs, testIdText } from "../helpers/browser.ts";
import { startTestStack, waitFor } from "../helpers/stack.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const SHOTS = `${ROOT}.local/screenshots`;
// Generous: the machine is shared; these bound waits, they do not measure anything.
const LONG_MS = 120_000;

const progress = (page: Page) =>
  page.getByTestId("progress-bar").getAttribute("aria-valuenow").then((v) => Number(v));
const text = testIdText;

// "Generate all missing" for this grade, from the page once it shows the grades.
async function generateGrade(page: Page, grade: string): Promise<void> {
  await page.getByTestId("grade-select").waitFor({ timeout: LONG_MS });
  await page.getByTestId("grade-select").selectOption(grade);
  await page.getByTestId("generate-missing").click();
}

// The batch the page follows completes, and the page shows exactly the database's counts.
async function endsAtTheDatabasesCounts(
  stack: Awaited<ReturnType<typeof startTestStack>>,
  page: Page,
): Promise<void> {
  await page.waitForFunction(
    () => document.querySelector("[data-testid=batch-status]")?.textContent === "completed",
    null,
    { timeout: LONG_MS },
  );
  const b = await latestBatch(stack);
  assert.equal(b.status, "completed");
  assert.equal(Number(await text(page, "progress-done")), b.done);
  assert.equal(Number(await text(page, "progress-failed")), b.failed);
  assert.equal(await progress(page), 100);
}

Deno.test("admin page: refuses a non-admin; generates a grade live, plays audio, cancels a batch", async () => {
  await Deno.mkdir(SHOTS, { recursive: true });
  const stack = await startTestStack({
    realtime: true,
    adminPage: true,
    standin: { latencyMeanMs: 60, latencySpread: 0.3 },
  });
  const browser = await launch();
  try {
    const user = await openAs(browser, stack, stack.keys.userJwt);
    await user.page.getByTestId("not-authorized").waitFor({ timeout: LONG_MS });
    await user.page.screenshot({ path: `${SHOTS}/not-authorized.png` });
    assert.deepEqual(user.errors, []);
    await user.close();

    const { page, errors, close } = await openAs(browser, stack, stack.keys.adminJwt);
    await generateGrade(page, "2");
    await page.waitForFunction(
      () => {
        const v = Number(
          document.querySelector("[data-testid=progress-bar]")?.getAttribute("aria-valuenow"),
        );
        return v >= 25 && v < 100;
      },
      null,
      { timeout: LONG_MS },
    );
    await page.screenshot({ path: `${SHOTS}/admin-mid-batch.png`, fullPage: false });
    await page.waitForFunction(
      () => document.querySelector("[data-testid=batch-status]")?.textContent === "completed",
      null,
      { timeout: LONG_MS },
    );
    assert.equal(await progress(page), 100);
    const first = await latestBatch(stack);
    assert.equal(first.status, "completed");
    assert.equal(
      Number(await text(page, "progress-done")),
      first.done,
      "the page shows the database's count",
    );
    await page.screenshot({ path: `${SHOTS}/admin-completed.png`, fullPage: false });

    // Play one file: the signed URL loads real audio in the page's <audio> element.
    const [w] = await stack
      .sql`select wa.word_id from public.word_audio as wa join public.words as w on w.id = wa.word_id
      where w.grade = 2 and wa.kind = 'word' order by w.word limit 1`;
    const play = page.getByTestId(`play-${w.word_id}-word`);
    await play.waitFor({ timeout: LONG_MS });
    await play.click();
    await page.waitForFunction(
      () => {
        const a = document.querySelector("[data-testid=audio-player]") as HTMLAudioElement | null;
        return !!a && a.readyState >= 1 && a.duration > 0;
      },
      null,
      { timeout: LONG_MS },
    );

    // A second, slower batch, cancelled midway from the page.
    stack.cartesia.configure({ latencyMeanMs: 400 });
    await page.getByTestId("grade-select").selectOption("3");
    await page.getByTestId("generate-missing").click();
    // Wait until the page follows the new batch (its id is shown), then until it has done a few.
    const newer = await waitFor("the second batch", async () => {
      const b = await latestBatch(stack);
      return b.id !== first.id ? b : null;
    }, LONG_MS);
    await page.locator(".batch h2 code", { hasText: String(newer.id).slice(0, 8) }).waitFor({
      timeout: LONG_MS,
    });
    await page.waitForFunction(
      () => Number(document.querySelector("[data-testid=progress-done]")?.textContent) >= 3,
      null,
      { timeout: LONG_MS },
    );
    await page.getByTestId("cancel-batch").click();
    await page.waitForFunction(
      () => document.querySelector("[data-testid=batch-status]")?.textContent === "cancelled",
      null,
      { timeout: LONG_MS },
    );
    const second = await latestBatch(stack);
    assert.equal(second.status, "cancelled");
    assert.ok(
      second.done > 0 && second.done < second.total,
      `cancelled midway (${second.done}/${second.total})`,
    );
    assert.equal(Number(await text(page, "progress-done")), second.done);
    assert.deepEqual(errors, []);
    await close();
  } finally {
    await browser.close();
    await stack.close();
  }
});

Deno.test("admin page: a paused provider shows its reason; Resume closes the circuit", async () => {
  const stack = await startTestStack({ realtime: true, adminPage: true });
  const browser = await launch();
  try {
    await stack.sql`select audio.open_circuit(
      'the provider rejected the API key — set CARTESIA_API_KEY to a valid key',
      'Cartesia answered 401: Unauthorized: the API key is not valid', 3600)`;
    const { page, errors, close } = await openAs(browser, stack, stack.keys.adminJwt);
    const banner = page.getByTestId("circuit-banner");
    await banner.waitFor({ timeout: LONG_MS });
    const shown = (await banner.textContent()) ?? "";
    assert.match(
      shown,
      /Generation is paused: the provider rejected the API key — set CARTESIA_API_KEY/,
    );
    assert.match(shown, /Cartesia answered 401/);
    await page.screenshot({ path: `${SHOTS}/admin-circuit-open.png`, fullPage: false });
    await banner.getByRole("button", { name: "Resume" }).click();
    await banner.waitFor({ state: "detached", timeout: LONG_MS });
    const [c] = await stack.sql`select state from audio.provider_circuit()`;
    assert.equal(c.state, "closed");
    assert.deepEqual(errors, []);
    await close();
  } finally {
    await browser.close();
    await stack.close();
  }
});

Deno.test("admin page: a dropped Realtime connection heals to exactly the database's counts", async () => {
  const stack = await startTestStack({
    realtime: true,
    adminPage: true,
    standin: { latencyMeanMs: 80, latencySpread: 0.3 },
  });
  const browser = await launch();
  try {
    const { page, errors, close } = await openAs(browser, stack, stack.keys.adminJwt);
    await generateGrade(page, "4");
    await page.waitForFunction(
      () => Number(document.querySelector("[data-testid=progress-done]")?.textContent) >= 10,
      null,
      { timeout: LONG_MS },
    );
    // The stand-in drops every socket; updates keep landing in the database meanwhile.
    stack.realtime!.dropAll();
    await endsAtTheDatabasesCounts(stack, page);
    assert.ok(stack.realtime!.stats().connections >= 1, "the page reconnected");
    assert.deepEqual(errors, []);
    await close();
  } finally {
    await browser.close();
    await stack.close();
  }
});

Deno.test("admin page: channels the server closed are joined again; the page is live again to the end", async () => {
  const stack = await startTestStack({
    realtime: true,
    adminPage: true,
    standin: { latencyMeanMs: 200, latencySpread: 0.3 },
  });
  const browser = await launch();
  try {
    const { page, errors, close } = await openAs(browser, stack, stack.keys.adminJwt);
    await generateGrade(page, "4");
    await page.waitForFunction(
      () =>
        Number(document.querySelector("[data-testid=progress-done]")?.textContent) >= 5 &&
        document.querySelector("[data-testid=batch-connection]")?.textContent === "live",
      null,
      { timeout: LONG_MS },
    );
    // Every state the connection label shows from now on.
    await page.evaluate(() => {
      const seen: string[] = [];
      (globalThis as unknown as { seen: string[] }).seen = seen;
      const label = document.querySelector("[data-testid=batch-connection]")!;
      new MutationObserver(() => seen.push(label.textContent ?? "")).observe(label, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    const batch = await latestBatch(stack);
    const joined = stack.realtime!.stats().channels;
    assert.equal(joined, 2, "the page follows batch:<id> and batches");

    // As Realtime does over the project's messages per second: every channel shut down.
    const reason = "Too many messages per second";
    assert.equal(stack.realtime!.closeChannels(`batch:${batch.id}`, reason), 1);
    assert.equal(stack.realtime!.closeChannels("batches", reason), 1);
    assert.equal(stack.realtime!.stats().channels, 0);

    await waitFor(
      "the page's channels joined again",
      () => stack.realtime!.stats().channels === joined,
      LONG_MS,
    );
    await page.waitForFunction(
      () => (globalThis as unknown as { seen: string[] }).seen.at(-1) === "live",
      null,
      { timeout: LONG_MS },
    );
    const seen = await page.evaluate(() => (globalThis as unknown as { seen: string[] }).seen);
    assert.deepEqual(seen, ["reconnecting…", "live"], "away while closed, then live again");
    const pushed = stack.realtime!.stats().broadcasts;

    await endsAtTheDatabasesCounts(stack, page);
    assert.ok(stack.realtime!.stats().broadcasts > pushed, "messages reached the page again");
    assert.deepEqual(errors, []);
    await close();
  } finally {
    await browser.close();
    await stack.close();
  }
});

Deno.test("admin page: a warning names the health's problems, and only when there are some", async () => {
  const stack = await startTestStack({ realtime: true, adminPage: true });
  const browser = await launch();
  try {
    // Three kicks refused with 401, as pg_net records them when Vault's worker secret is wrong
    // (admin_health.test.ts makes them for real).
    await stack.sql`insert into net._http_response (id, status_code, created)
      select g, 401, now() - make_interval(secs => 10 - g) from generate_series(1, 3) as g`;
    // Requests 1 to 4 are the watchdog's (audio.kick_worker records its own).
    await stack.sql`insert into audio.kick_requests (id, reason)
      select g, 'cron' from generate_series(1, 4) as g`;
    const { page, errors, close } = await openAs(browser, stack, stack.keys.adminJwt);
    const warning = page.getByTestId("health-warning");
    await warning.waitFor({ timeout: LONG_MS });
    assert.match(await warning.textContent() ?? "", /last 3 kicks got HTTP 401: the worker secret/);
    await page.screenshot({ path: `${SHOTS}/health-warning.png` });
    // The secret is fixed and the next kick accepted; the page reads the health again on Refresh.
    await stack.sql`insert into net._http_response (id, status_code, created)
      values (4, 202, now() + interval '1 second')`;
    await page.getByRole("button", { name: "Refresh" }).click();
    await warning.waitFor({ state: "detached", timeout: LONG_MS });
    assert.deepEqual(errors, []);
    await close();
  } finally {
    await browser.close();
    await stack.close();
  }
});

// The bundle itself is checked in admin_bundle.test.ts (built with sentinel secrets); here, what
// the host serves beside it.
Deno.test("config.js carries only the URL and the anon key", async () => {
  const stack = await startTestStack({ adminPage: true });
  try {
    const secrets = [
      stack.keys.serviceRoleKey,
      stack.keys.jwtSecret,
      stack.app.settings.AUDIO_WORKER_SECRET,
      stack.app.settings.CARTESIA_API_KEY,
    ];
    const config = await (await fetch(`${stack.url}/admin/config.js`)).text();
    for (const s of secrets) assert.ok(!config.includes(s), "config.js carries a secret");
    assert.ok(config.includes(stack.keys.anonKey));
    const served = await fetch(`${stack.url}/admin/`);
    assert.equal(served.status, 200);
    assert.match(await served.text(), /<div id="root">|<script/);
  } finally {
    await stack.close();
  }
});
