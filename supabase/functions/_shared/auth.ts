// Who is calling: the Bearer token of a request (verified by jwt.ts before its claims are used)
// and the worker secret, compared in constant time.

export type Claims = Record<string, unknown> & { sub?: string; role?: string };

export function bearerToken(req: Request): string | null {
  const header = req.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m ? m[1] : null;
}

export function timingSafeEqual(a: string, b: string): boolean {
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
