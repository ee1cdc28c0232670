// Verifying a user's access token inside the function, as Supabase asks of functions that take
// user tokens now that projects sign them with asymmetric keys (the platform's verify_jwt cannot
// check those, so it is off for these functions in config.toml).
//   ES256 / RS256 (the project's JWT signing keys): the signature against the project's JWKS at
//     $SUPABASE_URL/auth/v1/.well-known/jwks.json (fetched by jose, cached, refetched on an
//     unknown kid so a key rotation is picked up), then expiry and audience.
//   HS256 (a legacy project's shared secret, which a function does not hold): expiry and
//     audience, then the Auth server's own check, GET $SUPABASE_URL/auth/v1/user — what
//     supabase-js's auth.getClaims does for symmetric tokens.
//   Anything else (alg none, HS384, an API key, not a JWT): refused.
import {
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
} from "jose";
import type { Claims } from "./auth.ts";

export interface TokenVerifierDeps {
  supabaseUrl: string;
  /** A project API key for the Auth server's apikey header (the legacy path). */
  apiKey: string;
  fetch: typeof fetch;
  /** The clock expiry is judged by (ms since the epoch). */
  now: () => number;
}

export type Verified =
  | { ok: true; claims: Claims }
  // status 401 for a bad token; 503 when the Auth server could not be asked (legacy path).
  | { ok: false; status: 401 | 503; message: string };

export type TokenVerifier = (token: string) => Promise<Verified>;

const ASYMMETRIC = ["ES256", "RS256"];
const LEGACY = "HS256";
// User access tokens name this audience (Auth's default); API keys and other JWTs do not.
const AUDIENCE = "authenticated";
// The legacy check is one request to the Auth server; past this the caller gets a 503, not a hang.
const AUTH_TIMEOUT_MS = 5_000;

const refuse = (message: string): Verified => ({ ok: false, status: 401, message });

export function createTokenVerifier(deps: TokenVerifierDeps): TokenVerifier {
  const base = deps.supabaseUrl.replace(/\/+$/, "");
  const jwks = createRemoteJWKSet(new URL(`${base}/auth/v1/.well-known/jwks.json`), {
    [customFetch]: deps.fetch,
  });

  const asymmetric = async (token: string): Promise<Verified> => {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        algorithms: ASYMMETRIC,
        audience: AUDIENCE,
        currentDate: new Date(deps.now()),
        requiredClaims: ["exp"],
      });
      return { ok: true, claims: payload as Claims };
    } catch (err) {
      return failureOf(err);
    }
  };

  const legacy = async (token: string): Promise<Verified> => {
    const claims = decodeJwt(token) as Claims;
    const bad = checkTimeAndAudience(claims, deps.now());
    if (bad) return refuse(bad);
    let res: Response;
    try {
      res = await deps.fetch(`${base}/auth/v1/user`, {
        headers: { authorization: `Bearer ${token}`, apikey: deps.apiKey },
        signal: AbortSignal.timeout(AUTH_TIMEOUT_MS),
      });
    } catch {
      return { ok: false, status: 503, message: "the Auth server could not check the token" };
    }
    // Read to its end, not cancelled, so the connection goes back to the pool for the next check
    // (storage_upload.ts says why).
    await res.arrayBuffer().catch(() => {});
    if (res.ok) return { ok: true, claims };
    if (res.status >= 500) {
      return { ok: false, status: 503, message: "the Auth server could not check the token" };
    }
    return refuse("the Auth server refused the token");
  };

  return async (token) => {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
      decodeJwt(token);
    } catch {
      return refuse("not a JWT");
    }
    if (typeof alg === "string" && ASYMMETRIC.includes(alg)) return await asymmetric(token);
    if (alg === LEGACY) return await legacy(token);
    return refuse(`alg ${String(alg)} is not accepted`);
  };
}

// The legacy path's local checks, before asking the Auth server: expired or not a user's token.
function checkTimeAndAudience(claims: Claims, nowMs: number): string | null {
  if (typeof claims.exp !== "number") return "no exp claim";
  if (claims.exp * 1000 <= nowMs) return "expired";
  const aud = claims.aud;
  const auds = Array.isArray(aud) ? aud : [aud];
  return auds.includes(AUDIENCE) ? null : `audience must be ${AUDIENCE}`;
}

// What a failed jose verification means (the message never holds the token): 401 for the token,
// 503 when the JWKS itself could not be had: a network error, a timeout, or a bad answer (jose
// raises a plain JOSEError for a status other than 200 or a body that is not JSON, and
// JWKSInvalid for JSON that is not a key set) — an Auth outage, not a reason to sign in again.
function failureOf(err: unknown): Verified {
  if (err instanceof errors.JWTExpired) return refuse("expired");
  if (err instanceof errors.JWTClaimValidationFailed) {
    return refuse(err.claim === "aud" ? `audience must be ${AUDIENCE}` : `bad ${err.claim} claim`);
  }
  if (err instanceof errors.JWKSNoMatchingKey) {
    return refuse("signed by a key not in the project's JWKS");
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return refuse("bad signature");
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) {
    return refuse("malformed token");
  }
  if (
    err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid ||
    !(err instanceof errors.JOSEError) || err.code === "ERR_JOSE_GENERIC"
  ) {
    return { ok: false, status: 503, message: "the project's JWKS could not be fetched" };
  }
  return refuse("could not be verified");
}
