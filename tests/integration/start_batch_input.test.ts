// Bad input to the functions gets 400/401/403 with a JSON error naming the field, and changes no
// row; process-segments refuses a caller without the worker secret.
import assert from "node:assert/strict";
import {
  adminHeaders,
  assertBackgroundClean,
  startTestStack,
  type TestStack,
} from "../helpers/stack.ts";

async function snapshot(stack: TestStack) {
  const [r] = await stack.sql`
    select (select count(*) from public.audio_batches)::int as batches,
           (select count(*) from public.audio_segments)::int as segments,
           (select count(*) from pgmq.q_audio_segments)::int as messages`;
  return { ...r };
}

const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

Deno.test("start-batch: bad input is refused with the field named, and nothing changes", async () => {
  const stack = await startTestStack();
  try {
    const [word] = await stack.sql`select id from public.words limit 1`;
    const before = await snapshot(stack);
    const admin = adminHeaders(stack);
    const cases: {
      name: string;
      body: unknown;
      headers?: Record<string, string>;
      status: number;
      field: string | RegExp;
    }[] = [
      { name: "no token", body: { grade: 1 }, headers: {}, status: 401, field: /./ },
      {
        name: "not a JWT",
        body: { grade: 1 },
        headers: { authorization: "Bearer nonsense" },
        status: 401,
        field: /./,
      },
      {
        name: "non-admin user",
        body: { grade: 1 },
        headers: { authorization: `Bearer ${stack.keys.userJwt}` },
        status: 403,
        field: /./,
      },
      // An API key is not a user's token: refused before any admin check.
      {
        name: "anon key",
        body: { grade: 1 },
        headers: { authorization: `Bearer ${stack.keys.anonKey}` },
        status: 401,
        field: "Authorization",
      },
      {
        name: "secret key",
        body: { grade: 1 },
        headers: { authorization: `Bearer ${stack.keys.secretKey}` },
        status: 401,
        field: "Authorization",
      },
      { name: "empty body", body: "", status: 400, field: "body" },
      { name: "invalid JSON", body: "{grade: 1", status: 400, field: "body" },
      { name: "not an object", body: [1, 2], status: 400, field: /body|^$/ },
      { name: "neither ids nor grade", body: {}, status: 400, field: "wordIds" },
      {
        name: "both ids and grade",
        body: { wordIds: [word.id], grade: 1 },
        status: 400,
        field: "grade",
      },
      { name: "grade as string", body: { grade: "1" }, status: 400, field: "grade" },
      { name: "fractional grade", body: { grade: 1.5 }, status: 400, field: "grade" },
      { name: "wordIds not an array", body: { wordIds: word.id }, status: 400, field: "wordIds" },
      {
        name: "non-uuid id",
        body: { wordIds: [word.id, "abc"] },
        status: 400,
        field: "wordIds[1]",
      },
      { name: "empty wordIds", body: { wordIds: [] }, status: 400, field: "wordIds" },
      { name: "all false", body: { all: false }, status: 400, field: "all" },
      { name: "all as a string", body: { all: "true" }, status: 400, field: "all" },
      { name: "all and grade", body: { all: true, grade: 1 }, status: 400, field: "all" },
      {
        name: "all and ids",
        body: { all: true, wordIds: [word.id] },
        status: 400,
        field: "all",
      },
      {
        name: "ids, grade and all",
        body: { wordIds: [word.id], grade: 1, all: true },
        status: 400,
        field: "grade",
      },
      {
        name: "unknown word id",
        body: { wordIds: [word.id, uuid(7)] },
        status: 400,
        field: "wordIds[1]",
      },
      { name: "unknown field", body: { grade: 1, force: true }, status: 400, field: "force" },
      {
        name: "bad kind",
        body: { grade: 1, kinds: ["word", "poem"] },
        status: 400,
        field: "kinds[1]",
      },
      {
        name: "missingOnly not boolean",
        body: { grade: 1, missingOnly: "yes" },
        status: 400,
        field: "missingOnly",
      },
      {
        name: "dryRun not boolean",
        body: { grade: 1, dryRun: "yes" },
        status: 400,
        field: "dryRun",
      },
      // A dry run is checked like a real start.
      {
        name: "dry run with two scopes",
        body: { grade: 1, all: true, dryRun: true },
        status: 400,
        field: "all",
      },
      {
        name: "dry run naming an unknown word",
        body: { wordIds: [word.id, uuid(9)], dryRun: true },
        status: 400,
        field: "wordIds[1]",
      },
      {
        name: "dry run, non-admin user",
        body: { grade: 1, dryRun: true },
        headers: { authorization: `Bearer ${stack.keys.userJwt}` },
        status: 403,
        field: /./,
      },
      {
        name: "voiceId with a slash",
        body: { grade: 1, voiceId: "../x" },
        status: 400,
        field: "voiceId",
      },
    ];
    for (const c of cases) {
      const res = await stack.call("start-batch", c.body, c.headers ?? admin);
      assert.equal(res.status, c.status, `${c.name}: ${JSON.stringify(res.body)}`);
      const err = res.body.error as
        | { code: string; message: string; fields?: { field: string }[] }
        | undefined;
      const message = err?.message ?? (res.body.message as string);
      assert.ok(
        typeof message === "string" && message.length > 0,
        `${c.name}: error has a message`,
      );
      if (c.status === 400) {
        const fields = (err?.fields ?? []).map((f) => f.field);
        assert.ok(
          fields.some((f) => (typeof c.field === "string" ? f === c.field : c.field.test(f))),
          `${c.name}: expected field ${c.field} in ${JSON.stringify(fields)}`,
        );
      }
      assert.ok(
        !JSON.stringify(res.body).includes(stack.keys.serviceRoleKey),
        "no key in an error",
      );
    }
    assert.deepEqual(await snapshot(stack), before, "no row changed");
  } finally {
    await stack.close();
  }
});

Deno.test("start-batch: 30,000 ids (three times the old cap) and all: true are accepted", async () => {
  const stack = await startTestStack();
  try {
    // A heartbeat of a worker that does not run: start-batch kicks none, so nothing races the
    // cancels below.
    await stack.sql`insert into audio.workers (holder) values ('test: no worker')`;
    const words = await stack.sql`select id from public.words`;
    // Repeat real ids past the old limit of 10,000: duplicates name the same words, so the batch
    // has one segment per (word, kind).
    const ids = Array.from({ length: 30_000 }, (_, i) => words[i % words.length].id);
    const res = await stack.call(
      "start-batch",
      { wordIds: ids, kinds: ["word"] },
      adminHeaders(stack),
    );
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.total, words.length);

    // all: true covers every word and kind the first batch does not hold.
    const all = await stack.call("start-batch", { all: true }, adminHeaders(stack));
    assert.equal(all.status, 201, JSON.stringify(all.body));
    const [sources] = await stack.sql`select count(*)::int as n from audio.segment_sources`;
    assert.equal(all.body.total, sources.n - words.length);
    assert.equal(all.body.pending, words.length);
    for (const id of [res.body.batchId, all.body.batchId]) {
      await stack.sql`select audio.cancel_batch(${String(id)}::uuid)`;
    }
    await assertBackgroundClean(stack);
  } finally {
    await stack.close();
  }
});

Deno.test("cancel-batch and process-segments refuse bad callers and input", async () => {
  const stack = await startTestStack();
  try {
    const admin = adminHeaders(stack);
    assert.equal((await stack.call("cancel-batch", { batchId: "x" }, admin)).status, 400);
    assert.equal((await stack.call("cancel-batch", { batchId: uuid(1) }, admin)).status, 404);
    assert.equal(
      (await stack.call("cancel-batch", { batchId: uuid(1) }, {
        authorization: `Bearer ${stack.keys.userJwt}`,
      })).status,
      403,
    );
    assert.equal((await stack.call("cancel-batch", { batchId: uuid(1) }, {})).status, 401);

    const none = await stack.call("process-segments", {}, {});
    assert.equal(none.status, 401);
    assert.deepEqual((none.body.error as { fields: unknown[] }).fields, [{
      field: "x-worker-secret",
      message: "missing",
    }]);
    const wrong = await stack.call("process-segments", {}, {
      "x-worker-secret": "not-the-secret-at-all",
    });
    assert.equal(wrong.status, 401);
    // A user JWT is not the worker secret either.
    const user = await stack.call("process-segments", {}, {
      authorization: `Bearer ${stack.keys.adminJwt}`,
    });
    assert.equal(user.status, 401);
    const ok = await stack.call("process-segments", { wait: true }, {
      "x-worker-secret": stack.app.settings.AUDIO_WORKER_SECRET,
    });
    assert.equal(ok.status, 200);
    assert.equal((ok.body.report as { stoppedBy: string }).stoppedBy, "empty");
  } finally {
    await stack.close();
  }
});
