// The admin page in a real browser for the browser tests: Debian's Chromium driven by
// playwright-core, and a page opened as a user (the token rides in the URL's hash, as the demo's
// link does). Page errors are collected for the tests to assert none.
import { type Browser, chromium, type Page } from "playwright-core";
import type { TestStack } from "./stack.ts";

const CHROMIUM = "/usr/bin/chromium";

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
