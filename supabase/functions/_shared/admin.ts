// Admin-only requests: the caller's claims go into the transaction as request.jwt.claims, and
// audio.is_admin() — the same function the RLS policies use — decides. 401 without a token.
import type postgres from "postgres";
import { bearerToken, type Claims, claimsOf } from "./auth.ts";
import type { Sql } from "./db.ts";
import { errorResponse } from "./http.ts";

export class NotAdmin extends Error {}

export function requireClaims(req: Request): { ok: true; claims: Claims } | { ok: false; response: Response } {
  const token = bearerToken(req);
  const claims = token ? claimsOf(token) : null;
  if (!claims) {
    return {
      ok: false,
      response: errorResponse(401, "unauthorized", "send the admin's access token as Authorization: Bearer <JWT>", [
        { field: "Authorization", message: token ? "not a JWT" : "missing" },
      ]),
    };
  }
  return { ok: true, claims };
}

// asAdmin: run fn in one transaction as the caller; throws NotAdmin (→ 403) before fn runs.
export function asAdmin<T>(sql: Sql, claims: Claims, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    const [row] = await tx`select audio.is_admin() as is_admin`;
    if (row.is_admin !== true) throw new NotAdmin();
    return await fn(tx);
  }) as Promise<T>;
}

export const forbidden = () =>
  errorResponse(403, "forbidden", "this needs an admin: the user's app_metadata.role must be super_admin");
