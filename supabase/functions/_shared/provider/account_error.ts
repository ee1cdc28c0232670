// Which provider errors are about the account rather than the segment, and how to say so to the
// admin. An account error fails every segment alike, so the worker stops the line (the provider
// circuit) instead of failing them one by one.
//
// What Cartesia documents (its api-conventions and api-errors pages): standard HTTP status codes;
// from API version 2026-03-01 an error body { error_code (nullable), title, message, request_id },
// plain "Title: Message" text before it. The only error_code its pages name is
// "concurrency_limited" (a 429, which the retries handle). So the account errors are told apart by
// status: 401 (no valid key) and 403 (the key may not do this) are the key's; 402 Payment Required
// is the account's balance. A credits or quota answer under another 4xx status is recognised by
// its words, since no code for it is documented; a 429 for concurrency never is.
import type { ProviderError } from "./provider_error.ts";

export type AccountProblem = "key" | "forbidden" | "credits";

/** The reason shown to the admin for each problem: what happened and what to do. */
export const ACCOUNT_REASONS: Record<AccountProblem, string> = {
  key: "the provider rejected the API key — set CARTESIA_API_KEY to a valid key",
  forbidden:
    "the provider refused the API key access to text-to-speech — check CARTESIA_API_KEY's permissions",
  credits:
    "the provider account is out of credits or over its quota — add credits or upgrade the plan",
};

/** Words of a credits or quota answer in the provider's title, message or error code. */
const CREDITS_WORDS = /\bcredits?\b|\bquota\b|insufficient[_ ]?(balance|funds)|payment/i;

/** The account problem a provider error reports, or null when it is about this segment only. */
export function accountProblem(
  err: Pick<ProviderError, "status" | "message">,
): AccountProblem | null {
  const { status } = err;
  if (status === 401) return "key";
  if (status === 403) return "forbidden";
  if (status === 402) return "credits";
  if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
    if (CREDITS_WORDS.test(err.message)) return "credits";
  }
  return null;
}
