// Property-based fuzzing of the HTTP surface (fast-check), through the gateway on a real database:
// any body — JSON of any shape, the right keys with wrong types, huge arrays, long strings, bytes
// that are not JSON — and any query string, sent to start-batch, cancel-batch and every admin-api
// route, gets a 2xx or a 4xx JSON error (a 400 naming the field), never a 5xx; and a 4xx changes
// no row (a digest of the audio tables before and after). Runs are bounded and seeded: a failure
// prints the seed and the smallest failing request.
import assert from "node:assert/strict";
import fc from "fast-check";
import { adminHeaders, startTestStack, type TestStack } from "../helpers/stack.ts";
import { createBatch } from "../helpers/batches.ts";

// A fixed seed: the same cases on every run, so a failure reproduces; change it to explore.
const SEED = 20261201;
// Cases per function: enough to reach every validator branch several times (each case is one
// request and two digest queries, ~30 ms here), bounded so the file runs in well under a minute.
const RUNS = 200;
// Huge arrays: thousands of ids (start-batch takes any number), not so large that a
// case takes seconds.
const HUGE = 3_000;

// Every row the functions could write, as one text digest (the rows' text, ordered).
async function digest(stack: TestStack): Promise<string> {
  const [row] = await stack.sql`
    select md5(concat_ws('|',
      (select string_agg(t::text, ',' order by t::text) from public.audio_batches as t),
      (select string_agg(t::text, ',' order by t::text) from public.audio_segments as t),
      (select string_agg(t::text, ',' order by t::text) from public.word_audio as t),
      (select string_agg(t::text, ',' order by t::text) from public.words as t),
      (select string_agg(t::text, ',' order by t::text) from audio.config as t),
      (select string_agg(t::text, ',' order by t::text) from pgmq.q_audio_segments as t),
      (select string_agg(t::text, ',' order by t::text) from pgmq.a_audio_segments as t)
    )) as d`;
  return String(row.d);
}

// A body as sent on the wire: JSON text of a value, raw text, or raw bytes.
type Body = { json: unknown } | { text: string } | { bytes: Uint8Array };

// Numbers at the edges: column ranges (smallint, integer), the largest exact double, fractions.
const edgeNumbers = fc.constantFrom(
  -1,
  0,
  32767,
  32768,
  -32769,
  2 ** 31,
  Number.MAX_SAFE_INTEGER,
  1.5,
  1e300,
  -0,
);

const wrongTypes = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  edgeNumbers,
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 3 }),
);

// Bodies that look like each function's request: valid ones (real words' ids, repeats included,
// or a grade, its edge values included; any options), and ones with one field of any other type
// or shape.
const validOptions = {
  kinds: fc.subarray(["word", "definition", "sentence"], { minLength: 1 }),
  missingOnly: fc.boolean(),
  voiceId: fc.constantFrom("voice-b", "a.b_c-1", "test-voice"),
};
const validStart = (realIds: string[]) =>
  fc.oneof(
    fc.record({
      wordIds: fc.array(fc.oneof(fc.constantFrom(...realIds), fc.uuid()), {
        minLength: 1,
        maxLength: 5,
      }),
      ...validOptions,
    }, { requiredKeys: ["wordIds"] }),
    fc.record({ grade: fc.oneof(fc.integer({ min: -1, max: 40 }), edgeNumbers), ...validOptions }, {
      requiredKeys: ["grade"],
    }),
  );
const startBatchLike = (realIds: string[]) =>
  fc.oneof(
    validStart(realIds),
    fc.tuple(
      validStart(realIds),
      fc.constantFrom("wordIds", "grade", "kinds", "missingOnly", "voiceId", "other"),
      fc.oneof(
        wrongTypes,
        fc.array(fc.uuid(), { minLength: HUGE, maxLength: HUGE }),
        fc.string({ maxLength: 120 }),
        fc.double(),
      ),
    ).map(([body, field, value]) => ({ ...body, [field]: value })),
  );

const idLike = (real: string) =>
  fc.oneof(fc.uuid(), fc.constant(real), fc.string({ maxLength: 40 }), wrongTypes);

function anyBody(shaped: fc.Arbitrary<unknown>): fc.Arbitrary<Body> {
  return fc.oneof(
    { arbitrary: shaped.map((json) => ({ json })), weight: 4 },
    fc.jsonValue().map((json) => ({ json })),
    fc.string({ maxLength: 2_000 }).map((text) => ({ text })),
    fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ bytes })),
    fc.constant({ text: "" }),
  );
}

// A query string of the parameters the routes read, and others, with any values.
const queryString = fc.dictionary(
  fc.oneof(
    fc.constantFrom("grade", "limit", "after", "status", "stalledMinutes"),
    fc.string({ maxLength: 10 }),
  ),
  fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.integer().map(String),
    fc.double().map(String),
    fc.constantFrom("queued", "done", "1e3", "-0", "0x10", " 5", "9007199254740993"),
  ),
  { maxKeys: 4 },
).map((q) => new URLSearchParams(q).toString());

interface Sent {
  method: "GET" | "POST";
  path: string;
  body?: Body;
}

// One request through the gateway as the admin: the property every answer must have, and no row
// changed when it is a 4xx.
async function check(stack: TestStack, req: Sent, seen: Set<number>): Promise<void> {
  // A 2xx may have started work that goes on after its answer (a retry kicks a worker): let it
  // end first, so the digest changes only by this request.
  while (stack.background.length > 0) await stack.background.shift();
  const before = await digest(stack);
  const body = req.body === undefined
    ? undefined
    : "json" in req.body
    ? JSON.stringify(req.body.json)
    : "text" in req.body
    ? req.body.text
    : (req.body.bytes.slice().buffer as ArrayBuffer);
  const res = await fetch(`${stack.url}/functions/v1/${req.path}`, {
    method: req.method,
    headers: { "content-type": "application/json", ...adminHeaders(stack) },
    ...(req.method === "POST" ? { body: body ?? "" } : {}),
  });
  const text = await res.text();
  seen.add(Math.floor(res.status / 100) * 100);
  assert.ok(res.status < 500, `${req.method} ${req.path} answered ${res.status}: ${text}`);
  if (res.status < 400) return;
  const parsed = JSON.parse(text);
  assert.equal(typeof parsed?.error?.code, "string", `a 4xx without an error code: ${text}`);
  if (res.status === 400) {
    const fields = parsed.error.fields;
    assert.ok(Array.isArray(fields) && fields.length > 0, `a 400 naming no field: ${text}`);
    for (const f of fields) assert.equal(typeof f.field, "string", text);
  }
  assert.equal(await digest(stack), before, `${res.status} changed rows: ${req.path}`);
}

// Runs the property; then checks the cases reached both answers (a generator that only ever
// produced 4xx would never get past the validators to the database).
async function fuzz(
  stack: TestStack,
  arb: fc.Arbitrary<Sent>,
): Promise<void> {
  const seen = new Set<number>();
  try {
    await fc.assert(fc.asyncProperty(arb, (req) => check(stack, req, seen)), {
      seed: SEED,
      numRuns: RUNS,
    });
  } catch (err) {
    // fast-check keeps the failing assertion as the cause: print it with the seed.
    const cause = (err as Error).cause;
    throw new Error(
      `fuzzing failed with seed ${SEED}:\n${(err as Error).message}\n${
        cause instanceof Error ? cause.message : String(cause ?? "")
      }`,
    );
  }
  assert.deepEqual([...seen].sort(), [200, 400], `answers seen (seed ${SEED})`);
}

// One stack for the file. A worker heartbeat far in the future keeps start-batch from kicking a
// worker, so no background run changes rows while the digests are compared.
async function fuzzStack(): Promise<{ stack: TestStack; batchId: string; wordIds: string[] }> {
  const stack = await startTestStack({ standin: { latencyMeanMs: 5 } });
  await stack.sql`insert into audio.workers (holder, heartbeat_at)
    values ('fuzz-keeps-kicks-away', now() + interval '1 day')`;
  const words = await stack.sql`select id from public.words order by word limit 5`;
  const wordIds = words.map((w) => String(w.id));
  const batch = await createBatch(stack.sql, { wordIds: wordIds.slice(0, 2) });
  return { stack, batchId: batch.batch_id, wordIds };
}

Deno.test("fuzz start-batch: any body gets 2xx or a 4xx naming the field, never a 5xx", async () => {
  const { stack, wordIds } = await fuzzStack();
  try {
    await fuzz(
      stack,
      fc.tuple(anyBody(startBatchLike(wordIds)), queryString).map(([body, query]) => ({
        method: "POST",
        path: `start-batch${query ? `?${query}` : ""}`,
        body,
      })),
    );
  } finally {
    await stack.close();
  }
});

Deno.test("fuzz cancel-batch: any body gets 2xx or a 4xx naming the field, never a 5xx", async () => {
  const { stack, batchId } = await fuzzStack();
  try {
    const cancelLike = fc.record({ batchId: idLike(batchId), extra: wrongTypes }, {
      requiredKeys: [],
    });
    await fuzz(
      stack,
      fc.tuple(anyBody(cancelLike), queryString).map(([body, query]) => ({
        method: "POST",
        path: `cancel-batch${query ? `?${query}` : ""}`,
        body,
      })),
    );
  } finally {
    await stack.close();
  }
});

Deno.test("fuzz admin-api: every route, any path id, query string and body, never a 5xx", async () => {
  const { stack, batchId } = await fuzzStack();
  try {
    const segment = idLike(batchId).map((v) =>
      encodeURIComponent(typeof v === "string" ? v : JSON.stringify(v))
    );
    const route = fc.oneof(
      fc.constantFrom("me", "grades", "words", "batches", "health", "audio-url"),
      segment.map((id) => `batches/${id}`),
      fc.tuple(segment, fc.constantFrom("segments", "retry", "other")).map(([id, sub]) =>
        `batches/${id}/${sub}`
      ),
      fc.string({ maxLength: 20 }).map(encodeURIComponent),
    );
    const audioUrlLike = fc.record({
      wordId: fc.oneof(fc.uuid(), wrongTypes),
      kind: fc.oneof(fc.constantFrom("word", "definition", "sentence"), wrongTypes),
    }, { requiredKeys: [] });
    const sent = fc.record({
      method: fc.constantFrom("GET" as const, "POST" as const),
      route,
      query: queryString,
      body: anyBody(audioUrlLike),
    }).map(({ method, route, query, body }) => ({
      method,
      path: `admin-api/${route}${query ? `?${query}` : ""}`,
      body,
    }));
    await fuzz(stack, sent);
  } finally {
    await stack.close();
  }
});
