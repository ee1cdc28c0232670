// Unit tests of the admin page's error wording (admin/src/app/plain_error.ts): plain sentences for
// network failures and answers without a message of ours, the server's own message with its
// fields otherwise, never a request path or an error code; and which errors are worth retrying.

import assert from "node:assert/strict";
import { isTransient, plainError } from "../../admin/src/app/plain_error.ts";
import { AudioQueueError } from "../../admin/src/lib/index.ts";
import { test } from "../helpers/strict.ts";

const PATH = "admin-api/words?grade=3";

test("plainError: no answer, a bare status, a body of another shape: plain words, no path", () => {
  const cases = [
    new AudioQueueError(0, "network", `${PATH}: no answer (TypeError: Failed to fetch)`),
    new AudioQueueError(502, "http_502", `${PATH} answered HTTP 502: <html>Bad gateway</html>`),
    new AudioQueueError(404, "http_404", `${PATH} answered HTTP 404: No route`),
    new AudioQueueError(200, "bad_response", `${PATH}: the answer is not an array`),
  ];
  const shown = cases.map(plainError);
  assert.deepEqual(shown, [
    "The audio-queue server did not answer: check the network connection.",
    "The audio-queue server had a problem (HTTP 502).",
    "The audio-queue server refused the request (HTTP 404).",
    "The server's answer is not what this page expects: is the page the same version as the server?",
  ]);
  for (const s of shown) assert.doesNotMatch(s, /admin-api|http_|<html>/);
});

test("plainError: the server's own message and the fields at fault pass through", () => {
  const err = new AudioQueueError(400, "invalid_request", "the request is not valid", [
    { field: "grade", message: "must be an integer from 1 to 12" },
  ]);
  assert.equal(
    plainError(err),
    "the request is not valid (grade: must be an integer from 1 to 12)",
  );
  assert.equal(plainError(new Error("Could not play")), "Could not play");
});

test("isTransient: no answer, 5xx, 408 and 429 retry by themselves; 4xx and others do not", () => {
  assert.ok(isTransient(new AudioQueueError(0, "network", "x")));
  assert.ok(isTransient(new AudioQueueError(503, "http_503", "x")));
  assert.ok(isTransient(new AudioQueueError(429, "rate_limited", "x")));
  assert.ok(!isTransient(new AudioQueueError(400, "invalid_request", "x")));
  assert.ok(!isTransient(new AudioQueueError(403, "forbidden", "x")));
  assert.ok(!isTransient(new Error("x")));
});
