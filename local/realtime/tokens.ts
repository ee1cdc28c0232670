// Who a Realtime socket or channel acts as: the socket's `apikey` (anon or service_role key, or
// the publishable or secret key) and each channel's access token (a user JWT, else the apikey),
// verified with the project's keys — user tokens with the signing key, as Realtime does on a
// project with asymmetric JWT signing keys. The role claim becomes the database role under which
// RLS is checked, as Realtime does.
import { isExpiredJwtError, type JwtClaims } from "../gateway/keys.ts";
import { type ProjectKeys, verifyToken } from "../gateway/keyring.ts";

/** The database roles a token may act as; a token naming any other role is refused. */
export type DbRole = "anon" | "authenticated" | "service_role";
const DB_ROLES: readonly DbRole[] = ["anon", "authenticated", "service_role"];

/** A verified token: its claims and the role RLS runs under. */
export interface Identity {
  token: string;
  claims: JwtClaims;
  role: DbRole;
  /** Expiry in seconds since the epoch. */
  exp: number;
}

export type IdentifyResult = { ok: true; identity: Identity } | { ok: false; reason: string };

/** Verifies a token for a channel. Reasons follow Realtime's error codes (e.g. InvalidJWTToken). */
export async function identify(keys: ProjectKeys, token: unknown): Promise<IdentifyResult> {
  if (typeof token !== "string" || token === "") {
    return { ok: false, reason: "InvalidJWTToken: access_token must be a JWT string" };
  }
  let claims: JwtClaims;
  try {
    claims = await verifyToken(keys, token);
  } catch (err) {
    if (isExpiredJwtError(err)) {
      return { ok: false, reason: "InvalidJWTToken: Token has expired" };
    }
    return {
      ok: false,
      reason: "JwtSignatureError: the token is not a valid JWT signed with the project's keys",
    };
  }
  if (typeof claims.exp !== "number" || typeof claims.role !== "string") {
    return { ok: false, reason: "InvalidJWTToken: Fields `role` and `exp` are required in JWT" };
  }
  const role = DB_ROLES.find((r) => r === claims.role);
  if (!role) {
    return {
      ok: false,
      reason: `Unauthorized: role "${claims.role}" is not one of ${DB_ROLES.join(", ")}`,
    };
  }
  return { ok: true, identity: { token, claims, role, exp: claims.exp } };
}

/** Verifies the socket's apikey: a valid anon or service_role key, or a reason for the 401. */
export async function identifyApiKey(
  keys: ProjectKeys,
  apikey: string | null,
): Promise<IdentifyResult> {
  if (apikey === null || apikey === "") {
    return {
      ok: false,
      reason: "apikey: missing; connect to /realtime/v1/websocket?apikey=<anon key>&vsn=2.0.0",
    };
  }
  const result = await identify(keys, apikey);
  if (!result.ok) return { ok: false, reason: `apikey: ${result.reason}` };
  if (result.identity.role === "authenticated") {
    return {
      ok: false,
      reason: "apikey: must be the project's anon or service_role key, not a user token " +
        "(send user tokens as the channel's access_token)",
    };
  }
  return result;
}

/** Whether the identity's token has expired at `nowMs`. */
export function isExpired(identity: Identity, nowMs: number): boolean {
  return identity.exp * 1000 <= nowMs;
}
