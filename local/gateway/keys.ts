// Local Supabase JWTs. The anon and service-role API keys are HS256 JWTs of the project's legacy
// JWT secret, as a Supabase project's legacy keys are; user access tokens are signed with the
// project's ES256 signing key (signing_key.ts), as Auth does with asymmetric signing keys — or,
// given the secret instead, HS256 as a legacy project's. The stack script writes them to
// .local/stack.env; keyring.ts verifies any of them.
import { errors, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { SIGNING_ALG, type SigningKey } from "./signing_key.ts";

/** Claims of a Supabase JWT that the gateway and the project read. */
export interface JwtClaims extends JWTPayload {
  role?: string;
  email?: string;
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
}

// Supabase refuses JWT secrets shorter than 32 characters (HS256 wants at least 256 bits).
const MIN_SECRET_LENGTH = 32;
// The API keys are long-lived like a real project's anon/service keys: ten years.
const API_KEY_LIFETIME_S = 10 * 365 * 24 * 3600;
// A user access token lives an hour by default, as GoTrue's default jwt_expiry.
const USER_TOKEN_LIFETIME_S = 3600;
// 48 random bytes give a 64-character base64url secret, well above the 32-character minimum.
const RANDOM_SECRET_BYTES = 48;
const ISSUER = "supabase-local";

function secretKey(jwtSecret: string): Uint8Array {
  if (typeof jwtSecret !== "string" || jwtSecret.length < MIN_SECRET_LENGTH) {
    throw new Error(
      `jwtSecret: must be a string of at least ${MIN_SECRET_LENGTH} characters ` +
        `(generate one with randomSecret())`,
    );
  }
  return new TextEncoder().encode(jwtSecret);
}

function nowS(): number {
  return Math.floor(Date.now() / 1000);
}

/** Signs arbitrary claims (HS256) valid for lifetimeS seconds from now. */
export async function signJwt(
  jwtSecret: string,
  claims: JwtClaims,
  lifetimeS: number,
): Promise<string> {
  const key = secretKey(jwtSecret);
  const iat = nowS();
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetimeS)
    .sign(key);
}

/** The project's API keys: `anonKey` (role anon) and `serviceRoleKey` (role service_role). */
export async function localKeys(
  jwtSecret: string,
): Promise<{ anonKey: string; serviceRoleKey: string }> {
  const anonKey = await signJwt(jwtSecret, { iss: ISSUER, role: "anon" }, API_KEY_LIFETIME_S);
  const serviceRoleKey = await signJwt(
    jwtSecret,
    { iss: ISSUER, role: "service_role" },
    API_KEY_LIFETIME_S,
  );
  return { anonKey, serviceRoleKey };
}

/** Options of signUserJwt. A negative expiresInS makes an already-expired token (for tests). */
export interface UserJwtOptions {
  sub: string;
  email?: string;
  appMetadata?: Record<string, unknown>;
  expiresInS?: number;
}

/**
 * An access token for a signed-in user, shaped like the one Auth issues: ES256 with kid when
 * given the signing key, HS256 (a legacy project's token) when given the JWT secret.
 */
export async function signUserJwt(
  key: SigningKey | string,
  opts: UserJwtOptions,
): Promise<string> {
  if (typeof opts?.sub !== "string" || opts.sub === "") {
    throw new Error("signUserJwt: opts.sub must be the user's id (a non-empty string)");
  }
  const claims: JwtClaims = {
    iss: ISSUER,
    aud: "authenticated",
    role: "authenticated",
    sub: opts.sub,
    app_metadata: opts.appMetadata ?? {},
    user_metadata: {},
  };
  if (opts.email !== undefined) claims.email = opts.email;
  const lifetimeS = opts.expiresInS ?? USER_TOKEN_LIFETIME_S;
  if (typeof key === "string") return await signJwt(key, claims, lifetimeS);
  const iat = nowS();
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: SIGNING_ALG, typ: "JWT", kid: key.kid })
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetimeS)
    .sign(key.privateKey);
}

/**
 * Verifies an HS256 token signed with jwtSecret and returns its claims. Throws on a bad
 * signature, another algorithm, a malformed token or an expired one. The error never
 * contains the token.
 */
export async function verifyJwt(jwtSecret: string, token: string): Promise<JwtClaims> {
  const key = secretKey(jwtSecret);
  const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"] });
  return payload as JwtClaims;
}

/** A fresh random JWT secret (base64url, 64 characters). */
export function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(RANDOM_SECRET_BYTES));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Whether an error thrown by verifyJwt means "expired" (as opposed to forged or malformed). */
export function isExpiredJwtError(err: unknown): boolean {
  return err instanceof errors.JWTExpired;
}
