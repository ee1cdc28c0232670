// The `Range: bytes=...` header of a GET, single range only (browsers ask for one range when
// seeking in audio). A header we do not handle (several ranges, other units) is ignored and the
// whole object is served, which RFC 9110 allows.

export type RangeResult =
  | { kind: "whole" }
  | { kind: "partial"; start: number; end: number }
  | { kind: "unsatisfiable" };

export function parseRange(header: string | null, size: number): RangeResult {
  if (header === null) return { kind: "whole" };
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match || (match[1] === "" && match[2] === "")) return { kind: "whole" };
  let start: number;
  let end: number;
  if (match[1] === "") {
    // suffix range: the last N bytes
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    if (match[2] !== "" && Number(match[2]) < start) return { kind: "whole" }; // malformed
    if (start >= size) return { kind: "unsatisfiable" };
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  return { kind: "partial", start, end };
}
