// The gateway's pure pieces: object-name validation, Range parsing, one-level listing,
// the multipart reader (storage-js's empty field name, binary bodies) and log scrubbing.
import assert from "node:assert/strict";
import { redact } from "../../local/gateway/http.ts";
import { StorageHttpError } from "../../local/gateway/storage/errors.ts";
import { listLevel, parseListBody } from "../../local/gateway/storage/listing.ts";
import { boundaryOf, parseMultipart } from "../../local/gateway/storage/multipart.ts";
import {
  checkBucketId,
  checkObjectName,
  objectNameFromSegments,
} from "../../local/gateway/storage/paths.ts";
import { parseRange } from "../../local/gateway/storage/range.ts";
import type { ObjectRecord } from "../../local/gateway/storage/types.ts";

function status400(fn: () => unknown, why: string): void {
  assert.throws(fn, (err: unknown) => err instanceof StorageHttpError && err.status === 400, why);
}

Deno.test("paths: names that could leave the bucket folder are refused", () => {
  for (
    const bad of [
      "",
      "/etc/passwd",
      "a//b",
      "a/",
      "..",
      "a/../b",
      "./a",
      "a/.",
      "a\\b",
      "a\u0000b",
      "a\nb",
    ]
  ) {
    status400(() => checkObjectName(bad), JSON.stringify(bad));
  }
  status400(() => checkObjectName("x".repeat(251)), "segment over NAME_MAX");
  status400(() => checkObjectName(`${"abcd/".repeat(205)}x`), "key over 1024 bytes");
  status400(() => objectNameFromSegments(["a", "..%2F..%2Fescape"]), "%2F hides ..");
  status400(() => objectNameFromSegments(["%E0%A4%A"]), "bad %-escape");
  status400(() => objectNameFromSegments([]), "missing path");
  for (const bad of ["", ".meta", "..", "a/b", "a b", "x".repeat(101)]) {
    status400(() => checkBucketId(bad), `bucket ${JSON.stringify(bad)}`);
  }
  // Storage's key characters: ASCII letters, digits, space and _/!.*'()&$=@;:+,?- only.
  assert.equal(
    objectNameFromSegments(["v%201", "a_b-c.d!e*f'g(h)i&j$k=l@m;n:o+p,q%3Fr"]),
    "v 1/a_b-c.d!e*f'g(h)i&j$k=l@m;n:o+p,q?r",
  );
  for (
    const bad of ["café.mp3", "a#b", "a%b", "a[b]", "a~b", 'a"b', "a<b>", "a{b}", "a^b", "a|b"]
  ) {
    status400(() => checkObjectName(bad), JSON.stringify(bad));
  }
  status400(() => objectNameFromSegments(["v%201", "caf%C3%A9.mp3"]), "é");
  assert.equal(checkObjectName(".emptyFolderPlaceholder"), ".emptyFolderPlaceholder");
  assert.equal(checkBucketId("word-audio"), "word-audio");
});

Deno.test("range: single ranges, suffixes, open ends, unsatisfiable and ignored headers", () => {
  assert.deepEqual(parseRange(null, 10), { kind: "whole" });
  assert.deepEqual(parseRange("bytes=2-5", 10), { kind: "partial", start: 2, end: 5 });
  assert.deepEqual(parseRange("bytes=7-", 10), { kind: "partial", start: 7, end: 9 });
  assert.deepEqual(parseRange("bytes=-3", 10), { kind: "partial", start: 7, end: 9 });
  assert.deepEqual(parseRange("bytes=-30", 10), { kind: "partial", start: 0, end: 9 });
  assert.deepEqual(parseRange("bytes=5-100", 10), { kind: "partial", start: 5, end: 9 });
  assert.deepEqual(parseRange("bytes=10-", 10), { kind: "unsatisfiable" });
  assert.deepEqual(parseRange("bytes=-0", 10), { kind: "unsatisfiable" });
  assert.deepEqual(parseRange("bytes=5-2", 10), { kind: "whole" });
  assert.deepEqual(parseRange("bytes=0-1,4-5", 10), { kind: "whole" });
  assert.deepEqual(parseRange("items=0-1", 10), { kind: "whole" });
});

function row(name: string, updated: string): ObjectRecord {
  const metadata = {
    eTag: '"x"',
    size: 1,
    mimetype: "audio/mpeg",
    cacheControl: "no-cache",
    lastModified: updated,
    contentLength: 1,
    httpStatusCode: 200,
  };
  return {
    id: crypto.randomUUID(),
    bucket_id: "b",
    name,
    owner: null,
    created_at: updated,
    updated_at: updated,
    last_accessed_at: updated,
    metadata,
  };
}

Deno.test("listing: one level, folders as null rows, sorting by time with folders last", () => {
  const rows = [
    row("a/new.mp3", "2024-01-03T00:00:00.000Z"),
    row("a/old.mp3", "2024-01-01T00:00:00.000Z"),
    row("a/f/x.mp3", "2024-01-02T00:00:00.000Z"),
    row("a/f/y.mp3", "2024-01-02T00:00:00.000Z"),
    row("ab/z.mp3", "2024-01-02T00:00:00.000Z"),
  ];
  const level = listLevel(rows, parseListBody({ prefix: "a" }));
  assert.deepEqual(level.map((i) => i.name), ["f", "new.mp3", "old.mp3"], "ab/ is not under a/");
  assert.equal(level[0].id, null);
  const byTime = listLevel(
    rows,
    parseListBody({ prefix: "a/", sortBy: { column: "updated_at", order: "asc" } }),
  );
  assert.deepEqual(byTime.map((i) => i.name), ["old.mp3", "new.mp3", "f"]);
  assert.throws(() => parseListBody({ limit: 0 }), /list body: limit/);
  assert.throws(() => parseListBody({ sortBy: { column: "size" } }), /list body: sortBy\.column/);
});

Deno.test("multipart: reads storage-js's empty-named file part byte for byte", async () => {
  const bytes = new Uint8Array(300);
  for (let i = 0; i < bytes.length; i++) bytes[i] = i % 256;
  // Bytes that look like a delimiter start inside the file must not end the part early.
  bytes.set(new TextEncoder().encode("\r\n--"), 100);
  const form = new FormData();
  form.append("cacheControl", "3600");
  form.append("", new Blob([bytes], { type: "audio/mpeg" }));
  const req = new Request("http://127.0.0.1/", { method: "POST", body: form });
  const body = new Uint8Array(await req.arrayBuffer());
  const parts = parseMultipart(body, boundaryOf(req.headers.get("content-type")!));
  assert.equal(parts.length, 2);
  assert.equal(parts[0].name, "cacheControl");
  assert.equal(new TextDecoder().decode(parts[0].data), "3600");
  assert.equal(parts[1].name, "");
  assert.equal(parts[1].filename, "blob");
  assert.equal(parts[1].contentType, "audio/mpeg");
  assert.deepEqual(parts[1].data, bytes);
  status400(
    () => parseMultipart(body.subarray(0, 200), boundaryOf("multipart/form-data; boundary=zz")),
    "wrong boundary",
  );
  status400(() => boundaryOf("multipart/form-data"), "no boundary");
});

Deno.test("redact: JWTs and the secret never reach a log line", () => {
  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl";
  const out = redact(`failed with Bearer ${jwt} and s3cr3t-value-xyz`, ["s3cr3t-value-xyz"]);
  assert.ok(!out.includes(jwt) && !out.includes("s3cr3t-value-xyz"));
  assert.match(out, /failed with Bearer \[redacted jwt\] and \[redacted secret\]/);
});
