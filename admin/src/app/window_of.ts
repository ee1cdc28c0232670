// The words table's window as arithmetic (no React, no DOM, so unit tests import it): the rows to
// render for the rows in the box's view, with an overscan each side, clamped to the list.

/** The window for a list of `count` rows whose rows `seen.from` (inclusive) to `seen.to`
 * (exclusive) are in the box's view. A view past the end (the list shrank before the box was
 * measured again) gets the list's last rows, never an empty window. */
export function windowOf(
  count: number,
  seen: { from: number; to: number },
  overscan: number,
): { first: number; end: number } {
  const end = Math.min(count, seen.to + overscan);
  const first = Math.max(0, Math.min(seen.from, end - (seen.to - seen.from)) - overscan);
  return { first, end };
}
