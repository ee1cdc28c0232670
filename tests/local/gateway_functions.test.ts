// The gateway's /functions/v1 route, driven with supabase-js functions.invoke: the platform's
// legacy JWT check (401 before the handler; it knows only the HS256 secret, so a token of the
// signing key fails it as on Supabase), pass-through when verify_jwt is off, 404, CORS preflight,
// and 500 on a throwing handler without leaking the error, a secret or a token.
import assert from "node:assert/strict";
import { FunctionsHttpError } from "@supabase/supabase-js";
import { randomSecret, signUserJwt } from "../../local/gateway/keys.ts";
import { jsonOf, startFixture } from "../../local/gateway/testkit/fixture.ts";

interface Seen {
  method: string;
  path: string;
  search: string;
  authorization: string | null;
  body: string;
}

function recorder() {
  const seen: Seen[] = [];
  const handler = async (req: Request) => {
    const url = new URL(req.url);
    seen.push({
      method: req.method,
      path: url.pathname,
      search: url.search,
      authorization: req.headers.get("authorization"),
      body: await req.text(),
    });
    return Response.json({ ok: true, calls: seen.length });
  };
  return { seen, handler };
}

/** The status and JSON body of a functions.invoke error (consuming the body). */
async function httpError(
  error: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  assert.ok(error instanceof FunctionsHttpError, `expected FunctionsHttpError, got ${error}`);
  const res = error.context as Response;
  return { status: res.status, body: await jsonOf(res) };
}

Deno.test("functions: a valid legacy user JWT reaches the handler with its header, body and path", async () => {
  const rec = recorder();
  const fx = await startFixture({
    functions: { "start-batch": { handler: rec.handler, verifyJwt: true } },
  });
  try {
    const legacyJwt = await signUserJwt(fx.jwtSecret, { sub: "someone" });
    const { data, error } = await fx.anon.functions.invoke("start-batch", {
      body: { grade: 3, kinds: ["word"] },
      headers: { Authorization: `Bearer ${legacyJwt}` },
    });
    assert.equal(error, null);
    assert.deepEqual(data, { ok: true, calls: 1 });
    assert.equal(rec.seen[0].method, "POST");
    assert.equal(rec.seen[0].path, "/functions/v1/start-batch");
    assert.equal(rec.seen[0].authorization, `Bearer ${legacyJwt}`);
    assert.deepEqual(JSON.parse(rec.seen[0].body), { grade: 3, kinds: ["word"] });

    // A sub-path and query string reach the handler unchanged.
    const res = await fetch(`${fx.gateway.url}/functions/v1/start-batch/status/42?verbose=1`, {
      headers: { authorization: `Bearer ${fx.serviceRoleKey}` },
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.equal(rec.seen[1].method, "GET");
    assert.equal(rec.seen[1].path, "/functions/v1/start-batch/status/42");
    assert.equal(rec.seen[1].search, "?verbose=1");
  } finally {
    await fx.close();
  }
});

Deno.test("functions: missing, malformed, forged and expired tokens get 401 and never reach the handler", async () => {
  const rec = recorder();
  const fx = await startFixture({
    functions: { guarded: { handler: rec.handler, verifyJwt: true } },
  });
  try {
    const url = `${fx.gateway.url}/functions/v1/guarded`;
    const missing = await fetch(url, { method: "POST", body: "{}" });
    assert.equal(missing.status, 401);
    assert.deepEqual(await jsonOf(missing), { code: 401, message: "Missing authorization header" });

    const forged = await signUserJwt(randomSecret(), { sub: "someone" });
    const expired = await signUserJwt(fx.jwtSecret, { sub: "someone", expiresInS: -120 });
    const [head, payload] = fx.userJwt.split(".");
    const tampered = `${head}.${payload}.${"A".repeat(43)}`;
    for (const auth of ["Bearer not-a-jwt", `Basic ${fx.userJwt}`, `Bearer ${tampered}`]) {
      const res = await fetch(url, { method: "POST", headers: { authorization: auth } });
      assert.equal(res.status, 401, auth.slice(0, 12));
      const body = await jsonOf(res);
      assert.deepEqual(body, { code: 401, message: "Invalid JWT" });
    }
    for (const token of [forged, expired]) {
      const { error } = await fx.anon.functions.invoke("guarded", {
        body: { x: 1 },
        headers: { Authorization: `Bearer ${token}` },
      });
      const { status, body } = await httpError(error);
      assert.equal(status, 401);
      assert.deepEqual(body, { code: 401, message: "Invalid JWT" });
      assert.ok(!JSON.stringify(body).includes(token), "the token is not echoed");
    }
    assert.equal(rec.seen.length, 0, "the handler was never called");
  } finally {
    await fx.close();
  }
});

Deno.test("functions: verifyJwt=false passes requests through with any token or none", async () => {
  const rec = recorder();
  const fx = await startFixture({
    functions: {
      "process-segments": { handler: rec.handler, verifyJwt: false },
      guarded: { handler: rec.handler, verifyJwt: true },
    },
  });
  try {
    const res = await fetch(`${fx.gateway.url}/functions/v1/process-segments`, {
      method: "POST",
      headers: { "x-worker-secret": "w" },
      body: "kick",
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true, calls: 1 });
    assert.equal(rec.seen[0].authorization, null);
    assert.equal(rec.seen[0].body, "kick");
    // A token of the signing key: the legacy check refuses it, pass-through hands it on as is.
    const es256 = { authorization: `Bearer ${fx.userJwt}` };
    const refused = await fetch(`${fx.gateway.url}/functions/v1/guarded`, { headers: es256 });
    assert.equal(refused.status, 401);
    await refused.body?.cancel();
    const passed = await fetch(`${fx.gateway.url}/functions/v1/process-segments`, {
      headers: { ...es256, apikey: fx.publishableKey },
    });
    assert.equal(passed.status, 200);
    await passed.body?.cancel();
    assert.equal(rec.seen.length, 2);
    assert.equal(rec.seen[1].authorization, es256.authorization);
  } finally {
    await fx.close();
  }
});

Deno.test("functions: unknown names are 404 JSON; OPTIONS is a CORS preflight without the handler", async () => {
  const rec = recorder();
  const fx = await startFixture({
    functions: { guarded: { handler: rec.handler, verifyJwt: true } },
  });
  try {
    for (const name of ["nope", "constructor", "__proto__"]) {
      const { error } = await fx.service.functions.invoke(name, { body: {} });
      const { status, body } = await httpError(error);
      assert.equal(status, 404, name);
      assert.equal(typeof body.message, "string");
    }
    const pre = await fetch(`${fx.gateway.url}/functions/v1/guarded`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:5173", "access-control-request-method": "POST" },
    });
    assert.ok(pre.status === 204 || pre.status === 200);
    await pre.body?.cancel();
    assert.equal(pre.headers.get("access-control-allow-origin"), "*");
    assert.match(pre.headers.get("access-control-allow-headers") ?? "", /authorization/);
    assert.match(pre.headers.get("access-control-allow-headers") ?? "", /apikey/);
    assert.equal(rec.seen.length, 0);
  } finally {
    await fx.close();
  }
});

Deno.test("functions: a throwing handler gives 500 JSON without the message, stack, secret or token", async () => {
  let secretInError = "";
  const fx = await startFixture({
    functions: {
      boom: {
        verifyJwt: false,
        handler: (req) => {
          throw new Error(`db failed: ${secretInError} ${req.headers.get("authorization")}`);
        },
      },
    },
  });
  try {
    secretInError = `${fx.jwtSecret} ${fx.secretKey}`;
    const { error } = await fx.user.functions.invoke("boom", { body: {} });
    const { status, body } = await httpError(error);
    assert.equal(status, 500);
    const text = JSON.stringify(body);
    assert.ok(!text.includes("db failed"), "the error message is not returned");
    assert.ok(!text.includes(fx.jwtSecret) && !text.includes(fx.userJwt));
    assert.ok(!/\bat .*\.ts:\d+/.test(text), "no stack trace");
    // The gateway log names the function and the error, scrubbed of the secret and the JWT.
    const logged = fx.logs.join("\n");
    assert.match(logged, /boom/);
    assert.match(logged, /db failed/);
    assert.ok(!logged.includes(fx.jwtSecret) && !logged.includes(fx.userJwt));
    assert.ok(!logged.includes(fx.secretKey), "the secret API key is scrubbed too");
  } finally {
    await fx.close();
  }
});

Deno.test("gateway: /realtime/v1 answers 501 JSON and unknown paths 404 JSON", async () => {
  const fx = await startFixture();
  try {
    const rt = await fetch(`${fx.gateway.url}/realtime/v1/websocket?vsn=1.0.0`);
    assert.equal(rt.status, 501);
    assert.equal((await jsonOf(rt)).code, 501);
    const other = await fetch(`${fx.gateway.url}/rest/v1/words`);
    assert.equal(other.status, 404);
    assert.equal(other.headers.get("content-type"), "application/json");
    await other.body?.cancel();
  } finally {
    await fx.close();
  }
});
