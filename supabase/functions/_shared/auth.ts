// Who is calling. User JWTs are verified by the platform before the function runs (verify_jwt in
// config.toml; the local gateway does the same), so here we only read their claims. The worker
// secret is compared in constant time.

export type Claims = Record<string, unknown> & { sub?: string; role?: string };

export function bearerToken(req: Request): string | null {
  const header = req.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m ? m[1] : null;
}

// claimsOf: the payload of an already-verified JWT, or null if it is not a JWT.
export function claimsOf(token: string): Claims | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const padded = b64 + "=".repeat((4 - (b64.length % 4)) % 4);
    const payload = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0))),
    );
    return payload && typeof payload === "object" && !Array.isArray(payload)
      ? payload as Claims
      : null;
  } catch {
    return null;
  }
}

function timingSafeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

export function hasWorkerSecret(req: Request, secret: string): boolean {
  const given = req.headers.get("x-worker-secret");
  return given !== null && timingSafeEqual(given, secret);
}
