/// <reference lib="dom" />
// The admin page's browser tests share these: Debian's Chromium driven by playwright-core, a page
// opened at a given width (signed in through #token= or not), axe-core's WCAG 2 A/AA check,
// keyboard focus by Tab, and where screenshots go (.local/screenshots/).
import axe from "axe-core";
import { type Browser, chromium, type Page } from "playwright-core";
import type { TestStack } from "./stack.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
export const SHOTS = `${ROOT}.local/screenshots`;
const CHROMIUM = "/usr/bin/chromium";

/** A phone (iPhone 12-15 portrait) and a laptop: the two widths the page is checked at. */
export const PHONE = { width: 390, height: 844 };
export const LAPTOP = { width: 1280, height: 900 };

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-gpu",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
}

export async function openAs(
  browser: Browser,
  stack: TestStack,
  token: string,
): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${stack.url}/admin/#token=${token}`);
  return { page, errors, close: () => context.close() };
}

/** The trimmed text of the element with this data-testid. */
export const testIdText = (page: Page, id: string) =>
  page.getByTestId(id).textContent().then((t) => (t ?? "").trim());

/** The newest batch as the database has it. */
export async function latestBatch(stack: TestStack) {
  const [b] = await stack
    .sql`select id, status, total, done, failed, cancelled from public.audio_batches order by created_at desc limit 1`;
  return b;
}

export interface OpenPage {
  page: Page;
  /** Uncaught errors of the page. */
  errors: string[];
  /** POST requests the page sent to start-batch to start a batch (bodies). */
  starts: string[];
  /** POST requests the page sent to start-batch for an estimate only (dryRun: true). */
  estimates: string[];
  close(): Promise<void>;
}

/** Opens the admin page at `viewport`, signed in with `token` through the URL hash, or at the
 * sign-in form when token is null. */
export async function openPage(
  browser: Browser,
  stack: TestStack,
  token: string | null,
  viewport = LAPTOP,
): Promise<OpenPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  const starts: string[] = [];
  const estimates: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().includes("/functions/v1/start-batch")) {
      const body = r.postData() ?? "";
      (/"dryRun":true/.test(body) ? estimates : starts).push(body);
    }
  });
  await page.goto(`${stack.url}/admin/${token ? `#token=${token}` : ""}`);
  return { page, errors, starts, estimates, close: () => context.close() };
}

/** axe-core's serious and critical WCAG 2 A/AA violations on the page as it is now, one line
 * each (rule, impact, how many elements, the first element's selector). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate(() => "axe" in globalThis);
  if (!loaded) await page.addScriptTag({ content: (axe as unknown as { source: string }).source });
  const violations = await page.evaluate(async () => {
    const run = (globalThis as unknown as {
      axe: {
        run(
          ctx: Document,
          opts: unknown,
        ): Promise<
          { violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }
        >;
      };
    }).axe.run;
    const r = await run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      count: v.nodes.length,
      first: JSON.stringify(v.nodes[0]?.target ?? []),
    }));
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}) on ${v.count} elements, e.g. ${v.first}`);
}

/** How far the page is wider than its viewport (0 when it does not scroll sideways). */
export function sideScroll(page: Page): Promise<number> {
  return page.evaluate(() =>
    Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) -
    document.documentElement.clientWidth
  );
}

/** The data-testid of the focused element ("" when none). */
export function focusedTestId(page: Page): Promise<string> {
  return page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? "");
}

/** Presses Tab (Shift+Tab with `back`, for a control above the focus) until the element with this
 * data-testid has the focus; at most `max` presses, so a control the keyboard cannot reach fails
 * the test instead of looping. */
export async function tabTo(
  page: Page,
  testId: string,
  opts: { max?: number; back?: boolean } = {},
): Promise<void> {
  const max = opts.max ?? 60;
  const key = opts.back ? "Shift+Tab" : "Tab";
  for (let n = 0; n < max; n++) {
    if (await focusedTestId(page) === testId) return;
    await page.keyboard.press(key);
  }
  throw new Error(`${testId}: not reached with ${max} presses of ${key}`);
}
