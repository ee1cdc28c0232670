// The admin page's state badges carry white text on the colours defined in admin/src/styles.css:
// each must reach WCAG AA's 4.5:1 for normal text. Checked here for every state, including those a
// browser run may never show (stale, failed).

import assert from "node:assert/strict";
import { test } from "../helpers/strict.ts";

const CSS = new URL("../../admin/src/styles.css", import.meta.url);
const STATES = ["ready", "missing", "stale", "queued", "generating", "failed"];
/** WCAG 2 AA, normal-size text. */
const AA_NORMAL_TEXT = 4.5;

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test("every badge colour reaches 4.5:1 against its white text", async () => {
  const css = await Deno.readTextFile(CSS);
  assert.match(css, /\.badge \{[^}]*color: #fff;/, "badges have white text");
  for (const state of STATES) {
    const m = css.match(new RegExp(`--${state}: (#[0-9a-f]{6});`));
    assert.ok(m, `styles.css defines --${state} as a six-digit colour`);
    const ratio = contrast(m[1], "#ffffff");
    assert.ok(ratio >= AA_NORMAL_TEXT, `${state} (${m[1]}) is ${ratio.toFixed(2)}:1`);
  }
});
