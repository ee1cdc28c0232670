// Admin-only requests: the caller's access token is verified (jwt.ts), its claims go into the
// transaction as request.jwt.claims, and audio.is_admin() — the same function the RLS policies
// use — decides. 401 without a token or with one that fails verification.
import type postgres from "postgres";
import { bearerToken, type Claims } from "./auth.ts";
import type { Sql } from "./db.ts";
import type { z } from "zod";
import { errorResponse, preflight, readJson } from "./http.ts";
import type { TokenVerifier } from "./jwt.ts";
import { fieldErrors } from "./validate.ts";

export class NotAdmin extends Error {}

// requireClaims: the verified claims of the request's access token, or the 401 (503 when the
// Auth server or the JWKS could not be reached) that refuses it, naming why but never the token.
export async function requireClaims(
  req: Request,
  verify: TokenVerifier,
): Promise<{ ok: true; claims: Claims } | { ok: false; response: Response }> {
  const token = bearerToken(req);
  const verified = token
    ? await verify(token)
    : { ok: false as const, status: 401 as const, message: "missing" };
  if (verified.ok) return { ok: true, claims: verified.claims };
  const refused = verified.status === 401;
  return {
    ok: false,
    response: errorResponse(
      verified.status,
      refused ? "unauthorized" : "auth_unavailable",
      refused
        ? "send the admin's access token as Authorization: Bearer <JWT>"
        : "the access token could not be checked now; try again",
      [{ field: "Authorization", message: verified.message }],
    ),
  };
}

// asAdmin: run fn in one transaction as the caller; throws NotAdmin (→ 403) before fn runs.
export function asAdmin<T>(
  sql: Sql,
  claims: Claims,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    const [row] = await tx`select audio.is_admin() as is_admin`;
    if (row.is_admin !== true) throw new NotAdmin();
    return await fn(tx);
  }) as Promise<T>;
}

export const forbidden = () =>
  errorResponse(
    403,
    "forbidden",
    "this needs an admin: the user's app_metadata.role must be super_admin",
  );

// readAdminPost: the common front of an admin POST — CORS preflight, method, a token, a JSON body
// valid for the schema — or the response that refuses it (nothing has touched the database yet).
export async function readAdminPost<T>(
  req: Request,
  schema: z.ZodType<T>,
  verify: TokenVerifier,
): Promise<{ ok: true; claims: Claims; body: T } | { ok: false; response: Response }> {
  const early = preflight(req);
  if (early) return { ok: false, response: early };
  if (req.method !== "POST") {
    return { ok: false, response: errorResponse(405, "method_not_allowed", "use POST") };
  }
  const who = await requireClaims(req, verify);
  if (!who.ok) return who;
  const raw = await readJson(req);
  if (!raw.ok) return raw;
  const parsed = schema.safeParse(raw.value);
  if (!parsed.success) {
    return {
      ok: false,
      response: errorResponse(
        400,
        "invalid_request",
        "the request body is not valid",
        fieldErrors(parsed.error),
      ),
    };
  }
  return { ok: true, claims: who.claims, body: parsed.data };
}
