// The followed batch's failures as something to act on: grouped by reason (most frequent first),
// each failure named by its word and kind, a few per group and a count of the rest. Pure: the
// page passes the failed segments it holds and how to name a word.

import type { Segment, SegmentKind } from "../lib/index.ts";

export interface FailedItem {
  key: string;
  word: string;
  kind: SegmentKind;
}

export interface FailureGroup {
  reason: string;
  count: number;
  /** The first few failures of the group; `count - items.length` more are not listed. */
  items: FailedItem[];
}

/** The provider client's retry preamble ("gave up after 3 attempts (maxRetries=2): ") says how
 * hard it tried, not why: the reason is what follows it, so failures after 1 or 3 attempts with
 * the same cause fall in one group. */
const RETRY_PREAMBLE = /^gave up after \d+ attempts? \(maxRetries=\d+\): /;

export function failureReason(lastError: string | null): string {
  if (!lastError || lastError.trim() === "") return "no reason was recorded";
  return lastError.replace(RETRY_PREAMBLE, "").trim();
}

/** The word a segment belongs to: its own text for the word kind, else `name(wordId)`, else a
 * stand-in for a word of another grade. */
export function wordOf(s: Segment, name: (wordId: string) => string | undefined): string {
  if (s.kind === "word") return s.text;
  return name(s.word_id) ?? "a word of another grade";
}

export function groupFailures(
  failed: readonly Segment[],
  name: (wordId: string) => string | undefined,
  perGroup: number,
): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const s of failed) {
    const reason = failureReason(s.last_error);
    let g = groups.get(reason);
    if (!g) groups.set(reason, g = { reason, count: 0, items: [] });
    g.count++;
    if (g.items.length < perGroup) {
      g.items.push({ key: String(s.id), word: wordOf(s, name), kind: s.kind });
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}
