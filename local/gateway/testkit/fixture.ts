// Test support, the one gateway fixture of the test suites (the stand-ins' tests under tests/local
// and the product tests' stack, tests/helpers/stack.ts): a gateway on an ephemeral port with a
// temp storage root, the project's keys (legacy anon/service-role JWTs, the publishable and
// secret keys, the ES256 signing key) and two users' tokens signed with the signing key — an admin
// (app_metadata.role super_admin) and a plain user — and supabase-js clients for the service
// role, the anon key and the user. close() stops and removes everything it started.
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { localKeys, signUserJwt } from "../keys.ts";
import { newProjectKeys, type ProjectKeys } from "../keyring.ts";
import { type EdgeFunction, type Gateway, type GatewayOptions, startGateway } from "../server.ts";

export const PRIVATE_BUCKET = "word-audio";
export const PUBLIC_BUCKET = "public-clips";
/** The fixture's users: an admin and a plain signed-in user. */
export const ADMIN_ID = "00000000-0000-4000-a000-0000000000a1";
export const USER_ID = "00000000-0000-4000-a000-0000000000b2";

export interface Fixture {
  gateway: Gateway;
  keys: ProjectKeys;
  /** The legacy JWT secret (keys.jwtSecret): what legacy tokens and the API key JWTs are signed with. */
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  /** The new API keys: sb_publishable_… (anon) and sb_secret_… (service_role). */
  publishableKey: string;
  secretKey: string;
  adminJwt: string;
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
  /** The project's keys, when something started before the gateway needs them (Realtime);
   * new random ones otherwise. */
  keys?: ProjectKeys;
  /** Serves /realtime/v1 (see GatewayOptions). */
  realtime?: GatewayOptions["realtime"];
  /** Storage fault injection (see GatewayOptions). */
  storageFaults?: GatewayOptions["storageFaults"];
  /** Serves what no API route takes, e.g. the admin page (see GatewayOptions). */
  site?: GatewayOptions["site"];
}

/** A supabase-js client that never persists or refreshes a session (no timers in tests). */
export function clientFor(url: string, key: string, accessToken?: string): SupabaseClient {
  return createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: accessToken ? { headers: { Authorization: `Bearer ${accessToken}` } } : {},
  });
}

export async function startFixture(opts: FixtureOptions = {}): Promise<Fixture> {
  const keys = opts.keys ?? await newProjectKeys();
  const { jwtSecret } = keys;
  const { anonKey, serviceRoleKey } = await localKeys(jwtSecret);
  const adminJwt = await signUserJwt(keys.signingKey, {
    sub: ADMIN_ID,
    email: "admin@example.test",
    appMetadata: { role: "super_admin" },
  });
  const userJwt = await signUserJwt(keys.signingKey, { sub: USER_ID, email: "user@example.test" });
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
      keys,
      storageRoot,
      dbUrl: opts.dbUrl,
      functions: opts.functions ?? {},
      publicBuckets: [PUBLIC_BUCKET],
      log: (line) => logs.push(line),
      ...(opts.realtime ? { realtime: opts.realtime } : {}),
      ...(opts.site ? { site: opts.site } : {}),
      ...(opts.storageFaults ? { storageFaults: opts.storageFaults } : {}),
    });
  } catch (err) {
    await Deno.remove(storageRoot, { recursive: true });
    throw err;
  }
  return {
    gateway,
    keys,
    jwtSecret,
    anonKey,
    serviceRoleKey,
    publishableKey: keys.publishableKey,
    secretKey: keys.secretKey,
    adminJwt,
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
