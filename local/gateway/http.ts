// Small HTTP helpers the gateway's routes share: JSON responses, the CORS headers Supabase's
// gateway sends, reading a Bearer token, and scrubbing secrets from anything that gets logged.

/** CORS headers for gateway-made responses; the allowed headers are those supabase-js sends. */
export const CORS_HEADERS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers":
    "authorization, x-client-info, apikey, content-type, x-upsert, cache-control, range, " +
    "x-region, x-metadata, content-encoding",
  "access-control-allow-methods": "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
  "access-control-expose-headers": "content-range, content-length, etag, accept-ranges",
};

/** A JSON response with the CORS headers. */
export function json(status: number, body: unknown, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...CORS_HEADERS, "content-type": "application/json", ...extra },
  });
}

/** The answer to a CORS preflight. */
export function preflight(): Response {
  return new Response(null, { status: 204, headers: { ...CORS_HEADERS } });
}

/**
 * The token of `Authorization: Bearer <token>`; null when the header is missing, and "" when it
 * is present but not a Bearer token (so callers can tell "missing" from "malformed").
 */
export function bearerToken(req: Request): string | null {
  const header = req.headers.get("authorization");
  if (header === null) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : "";
}

// Three base64url parts starting with a base64 JSON header: the shape of any JWT.
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;

/** Text with every JWT-looking string and the given secrets replaced by a marker. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text.replace(JWT_PATTERN, "[redacted jwt]");
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join("[redacted secret]");
  }
  return out;
}
