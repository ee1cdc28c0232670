// Deno 2.9 leaves the op and resource sanitizers off by default; unit tests that start servers,
// timers or fetches turn them on to prove nothing they start outlives them.
export const STRICT = { sanitizeOps: true, sanitizeResources: true, sanitizeExit: true } as const;

/** Deno.test with the sanitizers on. */
export function test(name: string, fn: () => void | Promise<void>): void {
  Deno.test({ ...STRICT, name, fn });
}
