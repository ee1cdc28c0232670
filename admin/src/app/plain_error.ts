// Errors as the admin reads them: what happened in plain words, never a request path or an error
// code. The server's own messages (written for people, with the fields at fault) pass through;
// answers without one, network failures and server errors get a sentence of their own.

import { AudioQueueError } from "../lib/index.ts";

/** Network failures, server errors and "try later" answers: worth retrying by themselves. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof AudioQueueError)) return false;
  return err.status === 0 || err.status >= 500 || err.status === 408 || err.status === 429;
}

export function plainError(err: unknown): string {
  if (!(err instanceof AudioQueueError)) return err instanceof Error ? err.message : String(err);
  if (err.status === 0) {
    return "The audio-queue server did not answer: check the network connection.";
  }
  if (err.code === "bad_response") {
    return "The server's answer is not what this page expects: is the page the same version as the server?";
  }
  if (err.code.startsWith("http_")) {
    // No message of ours (a proxy, the platform): its text may be a path or HTML, so only the
    // status is worth showing.
    return err.status >= 500
      ? `The audio-queue server had a problem (HTTP ${err.status}).`
      : `The audio-queue server refused the request (HTTP ${err.status}).`;
  }
  const fields = err.fields.map((f) => `${f.field}: ${f.message}`).join("; ");
  return `${err.message}${fields ? ` (${fields})` : ""}`;
}
