// The functions' token verifier (supabase/functions/_shared/jwt.ts) against the local platform's
// Auth routes as its fetch: signing-key tokens verify against the JWKS (fetched once and cached),
// expiry follows the injected clock, every forged token is refused with a 401 that never holds
// it, and a legacy HS256 token is accepted only when the Auth server accepts it.
import assert from "node:assert/strict";
import { createTokenVerifier } from "../../supabase/functions/_shared/jwt.ts";
import { routeAuth } from "../../local/gateway/auth.ts";
import { signUserJwt } from "../../local/gateway/keys.ts";
import { newProjectKeys, type ProjectKeys } from "../../local/gateway/keyring.ts";
import { countingServer } from "../helpers/connection_count.ts";
import { forgedTokens } from "../helpers/forged_tokens.ts";

const BASE = "https://project.example.test";

// A fetch that answers /auth/v1/* with the local gateway's Auth routes, recording each call.
function authFetch(keys: ProjectKeys, calls: { path: string; apikey: string | null }[]) {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const req = new Request(input, init);
    const path = new URL(req.url).pathname;
    calls.push({ path, apikey: req.headers.get("apikey") });
    return await routeAuth(req, path.slice("/auth/v1/".length), keys);
  }) as typeof fetch;
}

async function setup(now = () => Date.now()) {
  const keys = await newProjectKeys();
  const calls: { path: string; apikey: string | null }[] = [];
  const verify = createTokenVerifier({
    supabaseUrl: BASE,
    apiKey: keys.secretKey,
    fetch: authFetch(keys, calls),
    now: () => now(),
  });
  return { keys, calls, verify };
}

Deno.test("jwt: a signing-key token verifies against the JWKS, fetched once for many tokens", async () => {
  const { keys, calls, verify } = await setup();
  for (let i = 0; i < 3; i++) {
    const sub = crypto.randomUUID();
    const r = await verify(await signUserJwt(keys.signingKey, { sub }));
    assert.ok(r.ok, r.ok ? "" : r.message);
    assert.equal(r.claims.sub, sub);
    assert.equal(r.claims.role, "authenticated");
  }
  assert.deepEqual(calls.map((c) => c.path), ["/auth/v1/.well-known/jwks.json"]);
});

Deno.test("jwt: expiry follows the injected clock", async () => {
  let nowMs = Date.now();
  const { keys, verify } = await setup(() => nowMs);
  const token = await signUserJwt(keys.signingKey, { sub: "u1", expiresInS: 600 });
  assert.equal((await verify(token)).ok, true);
  nowMs += 601_000;
  const late = await verify(token);
  assert.deepEqual(late, { ok: false, status: 401, message: "expired" });
});

Deno.test("jwt: every forged token is refused with a 401 that does not echo it", async () => {
  const { keys, verify } = await setup();
  for (const { name, token, why } of await forgedTokens(keys)) {
    const r = await verify(token);
    assert.equal(r.ok, false, `${name} was accepted`);
    if (r.ok) continue;
    assert.equal(r.status, 401, name);
    assert.match(r.message, why, name);
    assert.ok(!r.message.includes(token), `${name}: the message holds the token`);
  }
});

Deno.test("jwt: a legacy HS256 token is accepted when the Auth server accepts it", async () => {
  const { keys, calls, verify } = await setup();
  const token = await signUserJwt(keys.jwtSecret, {
    sub: "00000000-0000-4000-a000-000000000001",
    appMetadata: { role: "super_admin" },
  });
  const r = await verify(token);
  assert.ok(r.ok, r.ok ? "" : r.message);
  assert.deepEqual(r.claims.app_metadata, { role: "super_admin" });
  assert.deepEqual(calls, [{ path: "/auth/v1/user", apikey: keys.secretKey }]);

  // The Auth server unreachable: 503, not a pass and not a 401.
  const down = createTokenVerifier({
    supabaseUrl: BASE,
    apiKey: keys.secretKey,
    fetch: () => Promise.reject(new TypeError("connection refused")),
    now: Date.now,
  });
  assert.deepEqual(await down(token), {
    ok: false,
    status: 503,
    message: "the Auth server could not check the token",
  });
});

Deno.test("jwt: an unreachable JWKS is a 503, not a pass and not a 401", async () => {
  const keys = await newProjectKeys();
  const verify = createTokenVerifier({
    supabaseUrl: BASE,
    apiKey: keys.secretKey,
    fetch: () => Promise.reject(new TypeError("connection refused")),
    now: Date.now,
  });
  const r = await verify(await signUserJwt(keys.signingKey, { sub: "u1" }));
  assert.deepEqual(r, {
    ok: false,
    status: 503,
    message: "the project's JWKS could not be fetched",
  });
});

Deno.test("jwt: a JWKS answered badly (an error status, not JSON, not a key set) is a 503", async () => {
  const keys = await newProjectKeys();
  const token = await signUserJwt(keys.signingKey, { sub: "u1" });
  const answers: [string, () => Response][] = [
    ["HTTP 500", () => new Response("<html>upstream error</html>", { status: 500 })],
    ["HTTP 404", () => new Response("not found", { status: 404 })],
    ["not JSON", () => new Response("<html>maintenance</html>", { status: 200 })],
    ["not a key set", () => Response.json({ keys: "none" })],
  ];
  for (const [what, answer] of answers) {
    const verify = createTokenVerifier({
      supabaseUrl: BASE,
      apiKey: keys.secretKey,
      fetch: (() => Promise.resolve(answer())) as typeof fetch,
      now: Date.now,
    });
    assert.deepEqual(await verify(token), {
      ok: false,
      status: 503,
      message: "the project's JWKS could not be fetched",
    }, what);
  }
});

// Each admin request with a legacy token asks the Auth server: the answer is read to its end so
// the next check goes over the same connection (cancelled, each check would open a new one).
Deno.test("jwt: legacy tokens checked one after another go over one connection", async () => {
  const keys = await newProjectKeys();
  const server = countingServer((req) =>
    routeAuth(req, new URL(req.url).pathname.slice("/auth/v1/".length), keys)
  );
  try {
    const verify = createTokenVerifier({
      supabaseUrl: server.url,
      apiKey: keys.secretKey,
      fetch,
      now: () => Date.now(),
    });
    const token = await signUserJwt(keys.jwtSecret, {
      sub: "00000000-0000-4000-a000-000000000001",
      appMetadata: { role: "super_admin" },
    });
    for (let i = 0; i < 5; i++) {
      const r = await verify(token);
      assert.ok(r.ok, r.ok ? "" : r.message);
    }
    assert.equal(server.connections(), 1, `5 checks used ${server.connections()} connections`);
  } finally {
    await server.close();
  }
});
