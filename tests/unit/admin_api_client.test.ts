// Unit tests of the admin page's HTTP client (admin/src/lib/client.ts): against an in-process
// server on 127.0.0.1 (ephemeral port) that plays admin-api, through real supabase-js
// (functions.invoke) and through the plain-fetch transport. Checks paths, headers, bodies, and
// that error answers become AudioQueueError with status, code, message and fields.

import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { createAudioQueueClient } from "../../admin/src/lib/client.ts";
import { AudioQueueError } from "../../admin/src/lib/errors.ts";
import { BATCH_ID, makeBatch, makeSegment } from "../helpers/admin_fakes.ts";
import { test } from "../helpers/strict.ts";

const ANON = "anon-key-for-tests";
const JWT = "header.payload.signature";
const WORD_ID = "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f";

const OPEN_CIRCUIT = {
  state: "open",
  reason: "the provider rejected the API key — set CARTESIA_API_KEY to a valid key",
  providerError: "Cartesia answered 401: Unauthorized: the API key is not valid",
  openedAt: "2026-12-01 10:00:00+00",
  nextProbeAt: "2026-12-01 10:00:30+00",
};

interface Seen {
  method: string;
  path: string;
  query: string;
  auth: string | null;
  apikey: string | null;
  body: unknown;
}

/** A stand-in for start-batch / cancel-batch / admin-api that records what it was sent. */
async function withServer(
  fn: (base: string, seen: Seen[]) => Promise<void>,
): Promise<void> {
  const seen: Seen[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      const text = await req.text();
      const path = url.pathname.replace(/^\/functions\/v1\//, "");
      seen.push({
        method: req.method,
        path,
        query: url.search,
        auth: req.headers.get("authorization"),
        apikey: req.headers.get("apikey"),
        body: text ? JSON.parse(text) : null,
      });
      const json = (body: unknown, status = 200) => Response.json(body, { status });
      if (path === "start-batch") {
        return json({
          error: {
            code: "invalid_request",
            message: "the request body is not valid",
            fields: [{ field: "wordIds[3]", message: "not a uuid" }],
          },
        }, 400);
      }
      if (path === "admin-api/me") return json({ userId: "u1", isAdmin: true });
      if (path === "admin-api/batches") return json({ batches: [makeBatch()] });
      if (path === `admin-api/batches/${BATCH_ID}/segments`) {
        return json({
          segments: [makeSegment(7, "done", 1)],
        });
      }
      if (path === `admin-api/batches/${BATCH_ID}/retry`) {
        return json({
          batchId: BATCH_ID,
          requeued: 4,
        });
      }
      if (path === "admin-api/audio-url") {
        return json({
          url: "http://127.0.0.1/signed.mp3",
        });
      }
      if (path === "admin-api/circuit") return json({ circuit: OPEN_CIRCUIT });
      if (path === "admin-api/circuit/resume") {
        return json({ resumed: true, circuit: { ...OPEN_CIRCUIT, state: "closed", reason: null } });
      }
      if (path === "admin-api/grades") return json({ nope: true });
      if (path === "cancel-batch") {
        return json(
          { error: { code: "forbidden", message: "admins only" } },
          403,
        );
      }
      return new Response("no route", { status: 404 });
    },
  );
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    await server.shutdown();
    await server.finished;
  }
}

test("through supabase-js: GET and POST paths, query, JWT and apikey", async () => {
  await withServer(async (base, seen) => {
    const supabase = createClient(base, ANON, {
      accessToken: () => Promise.resolve(JWT),
    });
    const client = createAudioQueueClient(supabase);

    assert.deepEqual(await client.me(), { userId: "u1", isAdmin: true });
    assert.equal((await client.listBatches(5))[0].id, BATCH_ID);
    const segs = await client.getSegments(BATCH_ID, {
      status: "done",
      after: 3,
      limit: 5000,
    });
    assert.equal(segs[0].id, 7);
    assert.deepEqual(await client.retryFailed(BATCH_ID), {
      batchId: BATCH_ID,
      requeued: 4,
    });
    assert.equal(
      await client.audioUrl(WORD_ID, "sentence"),
      "http://127.0.0.1/signed.mp3",
    );

    assert.deepEqual(seen.map((s) => `${s.method} ${s.path}${s.query}`), [
      "GET admin-api/me",
      "GET admin-api/batches?limit=5",
      `GET admin-api/batches/${BATCH_ID}/segments?status=done&after=3&limit=1000`,
      `POST admin-api/batches/${BATCH_ID}/retry`,
      "POST admin-api/audio-url",
    ]);
    assert.ok(
      seen.every((s) => s.auth === `Bearer ${JWT}` && s.apikey === ANON),
    );
    assert.deepEqual(seen[4].body, { wordId: WORD_ID, kind: "sentence" });
  });
});

test("through supabase-js: an error answer becomes an AudioQueueError naming the fields", async () => {
  await withServer(async (base) => {
    const supabase = createClient(base, ANON, {
      accessToken: () => Promise.resolve(JWT),
    });
    const client = createAudioQueueClient(supabase);
    await assert.rejects(
      client.startBatch({ wordIds: ["a", "b", "c", "x"] }),
      (e: unknown) => {
        assert.ok(e instanceof AudioQueueError);
        assert.equal(e.status, 400);
        assert.equal(e.code, "invalid_request");
        assert.deepEqual(e.fields, [{
          field: "wordIds[3]",
          message: "not a uuid",
        }]);
        return true;
      },
    );
    await assert.rejects(
      client.cancelBatch(BATCH_ID),
      (e: unknown) =>
        e instanceof AudioQueueError && e.status === 403 &&
        e.code === "forbidden",
    );
    await assert.rejects(
      client.grades(),
      (e: unknown) =>
        e instanceof AudioQueueError && e.code === "bad_response" &&
        /admin-api\/grades/.test(e.message),
    );
  });
});

test("with functionsUrl: plain fetch carries the given JWT and anon key", async () => {
  await withServer(async (base, seen) => {
    const client = createAudioQueueClient({
      functions: { invoke: () => Promise.reject(new Error("not used")) },
    }, {
      functionsUrl: `${base}/functions/v1/`,
      anonKey: ANON,
      accessToken: () => JWT,
    });
    assert.equal((await client.me()).isAdmin, true);
    await assert.rejects(
      client.cancelBatch(BATCH_ID),
      (e: unknown) => e instanceof AudioQueueError && e.status === 403,
    );
    assert.deepEqual(seen.map((s) => [s.path, s.auth, s.apikey]), [
      ["admin-api/me", `Bearer ${JWT}`, ANON],
      ["cancel-batch", `Bearer ${JWT}`, ANON],
    ]);
    assert.deepEqual(seen[1].body, { batchId: BATCH_ID });
  });
});

test("no answer at all is a network error with status 0", async () => {
  // A port that was just closed: nothing listens there.
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const client = createAudioQueueClient({
    functions: { invoke: () => Promise.reject(new Error("not used")) },
  }, {
    functionsUrl: `http://127.0.0.1:${port}/functions/v1`,
    anonKey: ANON,
    accessToken: () => JWT,
  });
  await assert.rejects(
    client.me(),
    (e: unknown) => e instanceof AudioQueueError && e.status === 0 && e.code === "network",
  );
});

test("bad ids and incomplete options are refused before any request, naming the field", async () => {
  let calls = 0;
  const client = createAudioQueueClient({
    functions: {
      invoke: () => (calls++, Promise.resolve({ data: {}, error: null })),
    },
  });
  await assert.rejects(
    () => client.getBatch("not-a-uuid"),
    /batchId: not a uuid/,
  );
  await assert.rejects(
    () => client.audioUrl("42", "word"),
    /wordId: not a uuid/,
  );
  assert.equal(calls, 0);
  assert.throws(
    () =>
      createAudioQueueClient({
        functions: { invoke: () => Promise.reject(new Error("x")) },
      }, { functionsUrl: "http://127.0.0.1:1" }),
    (e: unknown) => e instanceof AudioQueueError && e.fields[0].field === "anonKey",
  );
});

test("the provider circuit: GET admin-api/circuit reads it, Resume POSTs {} to circuit/resume", async () => {
  await withServer(async (base, seen) => {
    const supabase = createClient(base, ANON, { accessToken: () => Promise.resolve(JWT) });
    const client = createAudioQueueClient(supabase);
    assert.deepEqual(await client.circuit(), OPEN_CIRCUIT);
    const resumed = await client.resumeProvider();
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.circuit.state, "closed");
    assert.deepEqual(seen.map((s) => `${s.method} ${s.path}`), [
      "GET admin-api/circuit",
      "POST admin-api/circuit/resume",
    ]);
    assert.deepEqual(seen[1].body, {});
  });
});
