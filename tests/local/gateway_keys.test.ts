// keys.ts: the local anon/service-role keys and user tokens verify with the secret that made
// them and carry Supabase's claims; forged, tampered, expired and unsigned tokens are refused.
import assert from "node:assert/strict";
import {
  isExpiredJwtError,
  localKeys,
  randomSecret,
  signUserJwt,
  verifyJwt,
} from "../../local/gateway/keys.ts";

const FIVE_YEARS_S = 5 * 365 * 24 * 3600;

function b64url(text: string): string {
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

Deno.test("keys: localKeys are long-lived anon and service_role JWTs of the secret", async () => {
  const secret = randomSecret();
  const { anonKey, serviceRoleKey } = await localKeys(secret);
  const anon = await verifyJwt(secret, anonKey);
  const service = await verifyJwt(secret, serviceRoleKey);
  assert.equal(anon.role, "anon");
  assert.equal(service.role, "service_role");
  assert.equal(anon.iss, "supabase-local");
  assert.equal(service.iss, "supabase-local");
  const now = Date.now() / 1000;
  assert.ok((anon.exp ?? 0) > now + FIVE_YEARS_S, "anon key lives for years");
  assert.ok((service.exp ?? 0) > now + FIVE_YEARS_S, "service key lives for years");
});

Deno.test("keys: signUserJwt carries role, aud, sub, email and app_metadata", async () => {
  const secret = randomSecret();
  const token = await signUserJwt(secret, {
    sub: "5a1e0d6c-1b7e-4f0e-8a8b-0f6d1f1c2b3a",
    email: "admin@example.test",
    appMetadata: { role: "super_admin" },
  });
  const claims = await verifyJwt(secret, token);
  assert.equal(claims.role, "authenticated");
  assert.equal(claims.aud, "authenticated");
  assert.equal(claims.sub, "5a1e0d6c-1b7e-4f0e-8a8b-0f6d1f1c2b3a");
  assert.equal(claims.email, "admin@example.test");
  assert.deepEqual(claims.app_metadata, { role: "super_admin" });
  assert.ok((claims.exp ?? 0) > Date.now() / 1000);
});

Deno.test("keys: verifyJwt refuses another secret, a tampered payload, expiry and alg none", async () => {
  const secret = randomSecret();
  const token = await signUserJwt(secret, { sub: "u1" });
  await assert.rejects(verifyJwt(randomSecret(), token));

  const [head, , sig] = token.split(".");
  const forgedPayload = b64url(
    JSON.stringify({ sub: "u1", role: "service_role", exp: 4102444800 }),
  );
  await assert.rejects(verifyJwt(secret, `${head}.${forgedPayload}.${sig}`));

  const unsigned = `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${forgedPayload}.`;
  await assert.rejects(verifyJwt(secret, unsigned));

  const expired = await signUserJwt(secret, { sub: "u1", expiresInS: -60 });
  const err = await verifyJwt(secret, expired).then(() => null, (e: unknown) => e);
  assert.ok(err !== null, "an expired token is refused");
  assert.ok(isExpiredJwtError(err), "and the error says it expired");
  const forgedErr = await verifyJwt(randomSecret(), token).then(() => null, (e: unknown) => e);
  assert.ok(!isExpiredJwtError(forgedErr));
  assert.ok(!String(forgedErr).includes(token), "errors never contain the token");
});

Deno.test("keys: short secrets are refused with a message naming jwtSecret; randomSecret is fresh", async () => {
  await assert.rejects(localKeys("too-short"), /jwtSecret: must be a string of at least 32/);
  await assert.rejects(signUserJwt(randomSecret(), { sub: "" }), /opts\.sub/);
  const a = randomSecret();
  const b = randomSecret();
  assert.notEqual(a, b);
  assert.ok(a.length >= 32);
  assert.match(a, /^[A-Za-z0-9_-]+$/);
});
