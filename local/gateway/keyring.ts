// Every key of the local project in one place, and the one check the gateway, Storage and
// Realtime share: which key or token a caller presented and the claims it stands for.
//   - the legacy JWT secret: the anon and service-role API keys (HS256 JWTs), legacy user tokens
//     and Storage's signed URLs;
//   - the ES256 signing key: user access tokens, its public half served as the JWKS;
//   - the new API keys: sb_publishable_… (acts as anon) and sb_secret_… (acts as service_role),
//     opaque strings accepted wherever the anon and service-role keys are.
import { decodeProtectedHeader, jwtVerify } from "jose";
import { type JwtClaims, randomSecret, verifyJwt } from "./keys.ts";
import { newSigningKey, SIGNING_ALG, type SigningKey } from "./signing_key.ts";
import { timingSafeEqual } from "../../supabase/functions/_shared/auth.ts";

export interface ProjectKeys {
  jwtSecret: string;
  signingKey: SigningKey;
  publishableKey: string;
  secretKey: string;
}

const PUBLISHABLE_PREFIX = "sb_publishable_";
const SECRET_PREFIX = "sb_secret_";
// An API key never expires; Realtime still wants an exp, so it gets one far beyond any session:
// the same ten years as the legacy API keys.
const API_KEY_EXP_S = 10 * 365 * 24 * 3600;

/** A fresh pair of new-style API keys. */
export function newApiKeys(): { publishableKey: string; secretKey: string } {
  return {
    publishableKey: PUBLISHABLE_PREFIX + randomSecret().slice(0, 32),
    secretKey: SECRET_PREFIX + randomSecret().slice(0, 32),
  };
}

/** A fresh set of keys (a given jwtSecret is kept, so something started earlier can share it). */
export async function newProjectKeys(jwtSecret = randomSecret()): Promise<ProjectKeys> {
  return { jwtSecret, signingKey: await newSigningKey(), ...newApiKeys() };
}

/** Thrown by verifyToken for an sb_ key that is not one of the project's. */
export class UnknownApiKey extends Error {}

/**
 * The claims a presented key or token stands for: a new API key as its role, an ES256 token of
 * the signing key, or an HS256 JWT of the legacy secret. Throws otherwise (jose's errors, so
 * isExpiredJwtError tells expiry apart); the error never contains the token.
 */
export async function verifyToken(keys: ProjectKeys, token: string): Promise<JwtClaims> {
  if (token.startsWith("sb_")) {
    const exp = Math.floor(Date.now() / 1000) + API_KEY_EXP_S;
    if (timingSafeEqual(token, keys.publishableKey)) return { role: "anon", exp };
    if (timingSafeEqual(token, keys.secretKey)) return { role: "service_role", exp };
    throw new UnknownApiKey("not one of the project's API keys");
  }
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw new Error("malformed token");
  }
  if (alg === SIGNING_ALG) {
    const { payload } = await jwtVerify(token, keys.signingKey.publicKey, {
      algorithms: [SIGNING_ALG],
    });
    return payload as JwtClaims;
  }
  return await verifyJwt(keys.jwtSecret, token);
}

/** Every secret string of the keys, for scrubbing logs. */
export function secretsOf(keys: ProjectKeys): string[] {
  return [keys.jwtSecret, keys.secretKey];
}
