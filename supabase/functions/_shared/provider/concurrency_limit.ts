// Which failed attempts say the account's concurrency limit was hit. Cartesia answers 429 with
// error_code "concurrency_limited" when a request would go over the plan's concurrent requests
// (API versions from 2026-03-01 send that JSON error); older versions answer a plain-text 429
// with no code at all, and a 429 is then taken for the concurrency limit too, the one 429 the
// docs describe. A 429 with any other code (or a null code in the JSON shape) is a rate or quota
// limit: backed off like a 5xx, never taught to the concurrency limit.

/** The error_code Cartesia gives a request above the plan's concurrency limit. */
export const CONCURRENCY_LIMITED = "concurrency_limited";

/** Whether a provider answer is a 429 for the concurrency limit. */
export function isConcurrencyLimited(answer: unknown): boolean {
  if (typeof answer !== "object" || answer === null) return false;
  const a = answer as { ok?: unknown; status?: unknown; errorCode?: unknown };
  if (a.ok !== false || a.status !== 429) return false;
  return a.errorCode === CONCURRENCY_LIMITED || a.errorCode === undefined;
}
