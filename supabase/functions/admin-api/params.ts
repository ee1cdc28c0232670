// admin-api's query parameters: whole numbers within limits, page sizes, ids and statuses. A bad
// one throws BadInput, which the handler answers as a 400 naming the parameter.
import type { IntRange } from "../_shared/config.ts";

export class BadInput extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEGMENT_STATUSES = ["queued", "generating", "done", "failed", "cancelled"];
const WORD_STATES = ["missing", "stale", "ready", "failed", "generating", "queued"];

export function intParam(
  url: URL,
  name: string,
  min: number,
  max: number,
  fallback: number | null,
): number | null {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new BadInput(name, `must be a whole number from ${min} to ${max}`);
  }
  return n;
}

// A page-size parameter within its limits, or its default.
export const pageParam = (url: URL, name: string, r: IntRange): number =>
  intParam(url, name, r.min, r.max, r.default)!;

export function batchIdParam(id: string): string {
  if (!UUID.test(id)) throw new BadInput("batchId", "not a uuid");
  return id;
}

// ?status=: a segment status, or null for all.
export function statusParam(url: URL): string | null {
  const status = url.searchParams.get("status");
  if (status && !SEGMENT_STATUSES.includes(status)) {
    throw new BadInput("status", `must be one of ${SEGMENT_STATUSES.join(", ")}`);
  }
  return status || null;
}

// ?state=: a word state (a word matches when any of its kinds is in it), or null for all.
export function wordStateParam(url: URL): string | null {
  const state = url.searchParams.get("state");
  if (state && !WORD_STATES.includes(state)) {
    throw new BadInput("state", `must be one of ${WORD_STATES.join(", ")}`);
  }
  return state || null;
}

// ?q=: text the word must contain (case-insensitive), at most `max` characters, or null.
export function searchParam(url: URL, max: number): string | null {
  const q = url.searchParams.get("q");
  if (q === null || q.trim() === "") return null;
  if (q.length > max) throw new BadInput("q", `at most ${max} characters`);
  return q.trim();
}
