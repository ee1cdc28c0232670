// The local project's JWT signing key: an ES256 key pair, as a Supabase project with asymmetric
// JWT signing keys has. User access tokens are signed with the private half; the public half is
// what the gateway serves at /auth/v1/.well-known/jwks.json. The stack keeps the key across
// restarts as one line of text (base64url of the private JWK).
import { exportJWK, generateKeyPair, importJWK, type JWK } from "jose";

/** Supabase's default algorithm for new signing keys (ECC P-256). */
export const SIGNING_ALG = "ES256";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public half as a JWKS entry: kty, crv, x, y, kid, alg, use, key_ops. */
  publicJwk: JWK;
}

async function fromPrivateJwk(jwk: JWK): Promise<SigningKey> {
  if (jwk.kty !== "EC" || jwk.crv !== "P-256" || typeof jwk.d !== "string" || !jwk.kid) {
    throw new Error("signing key: must be a P-256 EC private JWK with a kid");
  }
  const { d: _d, ...pub } = jwk;
  const publicJwk: JWK = { ...pub, alg: SIGNING_ALG, use: "sig", key_ops: ["verify"] };
  const privateKey = await importJWK({ ...jwk, key_ops: ["sign"] }, SIGNING_ALG, {
    extractable: true, // so the stack can store it (exportSigningKey)
  }) as CryptoKey;
  const publicKey = await importJWK(publicJwk, SIGNING_ALG) as CryptoKey;
  return { kid: jwk.kid, privateKey, publicKey, publicJwk };
}

/** A fresh key pair with a random kid. */
export async function newSigningKey(): Promise<SigningKey> {
  const pair = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await exportJWK(pair.privateKey);
  return await fromPrivateJwk({ ...jwk, kid: crypto.randomUUID() });
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): string {
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const padded = b64 + "=".repeat((4 - (b64.length % 4)) % 4);
  return new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)));
}

/** The key as one line of text (it holds the private half: keep it with the other secrets). */
export async function exportSigningKey(key: SigningKey): Promise<string> {
  const jwk = await exportJWK(key.privateKey);
  return toBase64Url(JSON.stringify({ ...jwk, kid: key.kid }));
}

/** The key exportSigningKey wrote; throws naming the problem (never the key) when it is not. */
export async function importSigningKey(text: string): Promise<SigningKey> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(fromBase64Url(text.trim()));
  } catch {
    throw new Error("signing key: not the base64url JSON of a JWK (see exportSigningKey)");
  }
  return await fromPrivateJwk(jwk);
}

/** The JWKS document of /auth/v1/.well-known/jwks.json: the public keys only. */
export function jwksOf(key: SigningKey): { keys: JWK[] } {
  return { keys: [key.publicJwk] };
}
