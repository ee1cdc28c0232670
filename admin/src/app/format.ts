// Small display helpers: durations, rates, dates, and the badge a segment state gets.

import type { Segment, SegState, WordSegment } from "../lib/index.ts";

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  if (m < 60) return `${m} min ${String(s).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

export function formatRate(perSecond: number | null): string {
  return perSecond === null ? "—" : `${perSecond.toFixed(perSecond < 10 ? 1 : 0)} segments done/s`;
}

export function formatTime(iso: string | null): string {
  if (!iso) return "—";
  const d = new Date(iso.replace(" ", "T").replace(/([+-]\d{2})$/, "$1:00"));
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** The state to show for a word's segment: the followed batch's live status when it has this
 * segment (and it says more than the list loaded earlier), else the state from admin-api/words. */
export function effectiveState(
  listed: WordSegment,
  live: Segment | undefined,
): SegState {
  if (!live) return listed.state;
  switch (live.status) {
    case "queued":
      return "queued";
    case "generating":
      return "generating";
    case "done":
      return "ready";
    case "failed":
      return "failed";
    default:
      return listed.state;
  }
}
