// The gateway's Auth routes and the keyring: the JWKS is the signing key's public half (and
// verifies the fixture's user tokens), GET /auth/v1/user answers for the project's own user
// tokens — legacy HS256 or ES256 — and refuses forged ones and API keys; the signing key survives
// a round trip through its stored form; the new API keys stand for their roles.
import assert from "node:assert/strict";
import { createLocalJWKSet, jwtVerify } from "jose";
import { randomSecret, signUserJwt } from "../../local/gateway/keys.ts";
import { UnknownApiKey, verifyToken } from "../../local/gateway/keyring.ts";
import {
  exportSigningKey,
  importSigningKey,
  newSigningKey,
} from "../../local/gateway/signing_key.ts";
import { jsonOf, startFixture } from "../../local/gateway/testkit/fixture.ts";

Deno.test("auth: the JWKS holds only the public key, and it verifies the users' tokens", async () => {
  const fx = await startFixture();
  try {
    const res = await fetch(`${fx.gateway.url}/auth/v1/.well-known/jwks.json`);
    assert.equal(res.status, 200);
    const jwks = await res.json();
    assert.equal(jwks.keys.length, 1);
    const [key] = jwks.keys;
    assert.equal(key.kid, fx.keys.signingKey.kid);
    assert.equal(key.alg, "ES256");
    assert.equal(key.d, undefined, "the private part is not published");
    const { payload, protectedHeader } = await jwtVerify(fx.adminJwt, createLocalJWKSet(jwks));
    assert.equal(protectedHeader.alg, "ES256");
    assert.deepEqual(payload.app_metadata, { role: "super_admin" });
  } finally {
    await fx.close();
  }
});

Deno.test("auth: GET /auth/v1/user answers for the project's user tokens only", async () => {
  const fx = await startFixture();
  const user = (token: string, apikey: string | null = fx.anonKey) =>
    fetch(`${fx.gateway.url}/auth/v1/user`, {
      headers: { authorization: `Bearer ${token}`, ...(apikey ? { apikey } : {}) },
    });
  try {
    const legacy = await signUserJwt(fx.jwtSecret, { sub: "u-legacy", email: "l@example.test" });
    for (const [token, apikey] of [[legacy, fx.anonKey], [fx.userJwt, fx.publishableKey]]) {
      const res = await user(token, apikey);
      assert.equal(res.status, 200);
      const body = await jsonOf(res);
      assert.equal(body.role, "authenticated");
      assert.equal(typeof body.id, "string");
    }
    const forged = await signUserJwt(randomSecret(), { sub: "u-forged" });
    const stranger = await signUserJwt(await newSigningKey(), { sub: "u-stranger" });
    for (const token of [forged, stranger, fx.anonKey, fx.serviceRoleKey, "not-a-jwt"]) {
      const res = await user(token);
      assert.equal(res.status, 401);
      const text = await res.text();
      assert.ok(!text.includes(token), "the token is not echoed");
    }
    const noKey = await user(legacy, null);
    assert.equal(noKey.status, 401, "the Auth server wants an apikey");
    await noKey.body?.cancel();
  } finally {
    await fx.close();
  }
});

Deno.test("keys: a stored signing key still verifies tokens signed before it was stored", async () => {
  const key = await newSigningKey();
  const token = await signUserJwt(key, { sub: "u1" });
  const stored = await exportSigningKey(key);
  const again = await importSigningKey(stored);
  assert.equal(again.kid, key.kid);
  const { payload } = await jwtVerify(token, again.publicKey);
  assert.equal(payload.sub, "u1");
  await assert.rejects(importSigningKey("not-a-key"), (err: Error) => {
    assert.match(err.message, /signing key/);
    return !err.message.includes("not-a-key");
  });
});

Deno.test("keyring: the new API keys stand for anon and service_role; other sb_ keys are refused", async () => {
  const fx = await startFixture();
  try {
    assert.equal((await verifyToken(fx.keys, fx.publishableKey)).role, "anon");
    assert.equal((await verifyToken(fx.keys, fx.secretKey)).role, "service_role");
    await assert.rejects(verifyToken(fx.keys, "sb_secret_guessed"), UnknownApiKey);
    await assert.rejects(verifyToken(fx.keys, "sb_publishable_guessed"), UnknownApiKey);
    assert.equal((await verifyToken(fx.keys, fx.adminJwt)).role, "authenticated");
    const legacy = await signUserJwt(fx.jwtSecret, { sub: "u1" });
    assert.equal((await verifyToken(fx.keys, legacy)).sub, "u1");
    const none = `${btoa('{"alg":"none"}')}.${fx.adminJwt.split(".")[1]}.`;
    await assert.rejects(verifyToken(fx.keys, none));
  } finally {
    await fx.close();
  }
});
