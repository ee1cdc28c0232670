// Tokens a caller might forge against the project's keys, each with the name tests report: every
// one must be refused by a function's own verification (supabase/functions/_shared/jwt.ts).
// One list, so the unit test of the verifier and the integration test of the functions send the
// same set.
import { SignJWT } from "jose";
import { localKeys, randomSecret, signUserJwt } from "../../local/gateway/keys.ts";
import type { ProjectKeys } from "../../local/gateway/keyring.ts";
import { newSigningKey, type SigningKey } from "../../local/gateway/signing_key.ts";

export interface NamedToken {
  name: string;
  token: string;
  /** The reason the verifier gives (the 401's Authorization field message). */
  why: RegExp;
}

function b64url(text: string): string {
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const ADMIN_CLAIMS = { sub: crypto.randomUUID(), appMetadata: { role: "super_admin" } };

// A token of the signing key with claims of our choosing (aud included).
async function signedWith(key: SigningKey, claims: Record<string, unknown>): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", typ: "JWT", kid: key.kid })
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(key.privateKey);
}

/** The forged tokens, for a project with these keys, and why the verifier refuses each. */
export async function forgedTokens(keys: ProjectKeys): Promise<NamedToken[]> {
  const plainUser = await signUserJwt(keys.signingKey, { sub: crypto.randomUUID() });
  const [head, payload, sig] = plainUser.split(".");
  const claims = JSON.parse(atob(payload.replaceAll("-", "+").replaceAll("_", "/")));
  // The plain user's claims made an admin's: what an edited payload would try.
  const adminPayload = b64url(JSON.stringify({ ...claims, app_metadata: { role: "super_admin" } }));
  const stranger = await newSigningKey();
  const sameKidStranger: SigningKey = { ...stranger, kid: keys.signingKey.kid };
  const { anonKey } = await localKeys(keys.jwtSecret);
  const admin = (key: SigningKey | string, expiresInS?: number) =>
    signUserJwt(key, { ...ADMIN_CLAIMS, ...(expiresInS === undefined ? {} : { expiresInS }) });
  return [
    {
      name: "alg none",
      token: `${b64url('{"alg":"none","typ":"JWT"}')}.${adminPayload}.`,
      why: /alg none is not accepted/,
    },
    {
      name: "HS256 with a made-up secret",
      token: await admin(randomSecret()),
      why: /Auth server refused/,
    },
    {
      name: "a real ES256 token, payload edited",
      token: `${head}.${adminPayload}.${sig}`,
      why: /bad signature/,
    },
    { name: "expired", token: await admin(keys.signingKey, -60), why: /expired/ },
    {
      name: "wrong audience",
      token: await signedWith(keys.signingKey, {
        sub: ADMIN_CLAIMS.sub,
        aud: "some-other-api",
        role: "authenticated",
        app_metadata: { role: "super_admin" },
      }),
      why: /audience must be authenticated/,
    },
    {
      name: "a key not in the JWKS",
      token: await admin(stranger),
      why: /not in the project's JWKS/,
    },
    {
      name: "a key not in the JWKS, with the project key's kid",
      token: await admin(sameKidStranger),
      why: /bad signature/,
    },
    {
      name: "the anon key (an API key, not a user)",
      token: anonKey,
      why: /audience must be authenticated/,
    },
    { name: "the publishable key", token: keys.publishableKey, why: /not a JWT/ },
    { name: "not a JWT", token: "not-a-jwt", why: /not a JWT/ },
  ];
}
