// Test support (used only by tests/unit/gateway_* and tests/integration/gateway_storage): a
// gateway on an ephemeral port with a temp storage root and supabase-js clients for the
// service role, the anon key and a signed-in user. close() stops and removes everything.
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { localKeys, randomSecret, signUserJwt } from "../keys.ts";
import { type EdgeFunction, type Gateway, startGateway } from "../server.ts";

export const PRIVATE_BUCKET = "word-audio";
export const PUBLIC_BUCKET = "public-clips";
const TEST_USER_ID = "7f0c3f2e-4a61-4f7e-9d2a-5b1c2d3e4f50";

export interface Fixture {
  gateway: Gateway;
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  userJwt: string;
  storageRoot: string;
  service: SupabaseClient;
  anon: SupabaseClient;
  user: SupabaseClient;
  /** Lines the gateway logged. */
  logs: string[];
  close(): Promise<void>;
}

export interface FixtureOptions {
  functions?: Record<string, EdgeFunction>;
  /** Postgres URL of a database where platform.sql ran and both buckets exist. */
  dbUrl?: string;
}

/** A supabase-js client that never persists or refreshes a session (no timers in tests). */
export function clientFor(url: string, key: string, accessToken?: string): SupabaseClient {
  return createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: accessToken ? { headers: { Authorization: `Bearer ${accessToken}` } } : {},
  });
}

export async function startFixture(opts: FixtureOptions = {}): Promise<Fixture> {
  const jwtSecret = randomSecret();
  const { anonKey, serviceRoleKey } = await localKeys(jwtSecret);
  const userJwt = await signUserJwt(jwtSecret, { sub: TEST_USER_ID, email: "user@example.test" });
  const storageRoot = await Deno.makeTempDir({ prefix: "aq-gateway-" });
  if (!opts.dbUrl) {
    // Without a database the buckets are the storage root's folders.
    await Deno.mkdir(`${storageRoot}/${PRIVATE_BUCKET}`);
    await Deno.mkdir(`${storageRoot}/${PUBLIC_BUCKET}`);
  }
  const logs: string[] = [];
  let gateway: Gateway;
  try {
    gateway = await startGateway({
      port: 0,
      jwtSecret,
      storageRoot,
      dbUrl: opts.dbUrl,
      functions: opts.functions ?? {},
      publicBuckets: [PUBLIC_BUCKET],
      log: (line) => logs.push(line),
    });
  } catch (err) {
    await Deno.remove(storageRoot, { recursive: true });
    throw err;
  }
  return {
    gateway,
    jwtSecret,
    anonKey,
    serviceRoleKey,
    userJwt,
    storageRoot,
    service: clientFor(gateway.url, serviceRoleKey),
    anon: clientFor(gateway.url, anonKey),
    user: clientFor(gateway.url, anonKey, userJwt),
    logs,
    async close() {
      await gateway.close();
      await Deno.remove(storageRoot, { recursive: true });
    },
  };
}

/** Reads a response body as JSON (consuming it, so the test leaks no resource). */
export async function jsonOf(res: Response): Promise<Record<string, unknown>> {
  return await res.json() as Record<string, unknown>;
}
