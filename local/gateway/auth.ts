// The `/auth/v1/...` subset the project relies on: the JWKS (the signing key's public half, what
// functions verify user tokens with) and `GET /auth/v1/user`, the Auth server's own check of an
// access token — how a token of a legacy (shared-secret) project is verified outside Auth.
// Both need no database: the user is read from the verified token's claims.
import { bearerToken, json, preflight } from "./http.ts";
import { isExpiredJwtError } from "./keys.ts";
import { type ProjectKeys, verifyToken } from "./keyring.ts";
import { jwksOf } from "./signing_key.ts";

// Clients and edge caches may keep the JWKS a while; Supabase's endpoint is cached for minutes.
const JWKS_MAX_AGE_S = 600;

/** Serves a request whose path is `/auth/v1/<rest>`. */
export async function routeAuth(req: Request, rest: string, keys: ProjectKeys): Promise<Response> {
  if (req.method === "OPTIONS") return preflight();
  if (rest === ".well-known/jwks.json" && req.method === "GET") {
    return json(200, jwksOf(keys.signingKey), {
      "cache-control": `public, max-age=${JWKS_MAX_AGE_S}`,
    });
  }
  if (rest === "user" && req.method === "GET") return await currentUser(req, keys);
  return json(404, {
    code: 404,
    error_code: "not_found",
    msg: "the local gateway serves only /auth/v1/.well-known/jwks.json and GET /auth/v1/user",
  });
}

// Auth answers 401 with { code, error_code, msg }; the token is never echoed.
const refuse = (errorCode: string, msg: string) =>
  json(401, { code: 401, error_code: errorCode, msg });

async function currentUser(req: Request, keys: ProjectKeys): Promise<Response> {
  const apikey = req.headers.get("apikey");
  const key = apikey ? await verifyToken(keys, apikey).catch(() => null) : null;
  if (!key || key.role === "authenticated") {
    return refuse("no_api_key", "send one of the project's API keys in the apikey header");
  }
  const token = bearerToken(req);
  if (!token) return refuse("no_authorization", "send the user's access token as Bearer");
  let claims;
  try {
    claims = await verifyToken(keys, token);
  } catch (err) {
    return refuse(
      "bad_jwt",
      isExpiredJwtError(err) ? "invalid JWT: token is expired" : "invalid JWT: bad signature",
    );
  }
  if (typeof claims.sub !== "string" || claims.role !== "authenticated") {
    return refuse("bad_jwt", "invalid JWT: not a user's access token");
  }
  return json(200, {
    id: claims.sub,
    aud: claims.aud ?? "authenticated",
    role: claims.role,
    email: claims.email ?? "",
    app_metadata: claims.app_metadata ?? {},
    user_metadata: claims.user_metadata ?? {},
  });
}
