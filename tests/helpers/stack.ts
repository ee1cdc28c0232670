// The in-process stack for integration tests: a database of the stack's own (cloned from the
// template scripts/test builds, dropped on close), a Cartesia stand-in and the gateway with the
// project's functions, each on an ephemeral 127.0.0.1 port. One helper, so URLs and fakes live in
// one place.
import { type App, createApp } from "../../supabase/functions/_shared/app.ts";
import { createSql, type Sql } from "../../supabase/functions/_shared/db.ts";
import type { Platform } from "../../supabase/functions/_shared/platform.ts";
import { loadSettings } from "../../supabase/functions/_shared/settings.ts";
import type { WorkerConfig, WorkerReport } from "../../supabase/functions/_shared/worker/pool.ts";
import { newHolder, startWorker } from "../../supabase/functions/_shared/worker/run.ts";
import { type CartesiaStandin, startCartesiaStandin } from "../../local/cartesia/server.ts";
import type { FaultAndLatency } from "../../local/cartesia/faults.ts";
import { newProjectKeys, type ProjectKeys } from "../../local/gateway/keyring.ts";
import { type Gateway, type StorageFaults, storageFaults } from "../../local/gateway/server.ts";
import { startFixture } from "../../local/gateway/testkit/fixture.ts";
import { projectFunctions } from "../../local/gateway/project_functions.ts";
import { adminSite } from "../../local/gateway/admin_site.ts";
import { type Realtime, startRealtime } from "../../local/realtime/server.ts";
import { cloneTemplate } from "./pg.ts";

export const TEST_KEY = "test-key";

// A provider request as the app sent it (recorded at the fetch the app uses).
export interface SentRequest {
  at: number;
  voiceId: string;
  transcript: string;
}

export interface TestStack {
  url: string;
  // This stack's own database: a clone of the template (migrations and seed), dropped on close.
  dbUrl: string;
  sql: Sql;
  app: App;
  cartesia: CartesiaStandin;
  gateway: Gateway;
  // The gateway's Storage fault injection (nothing injected until a window is opened).
  storage: StorageFaults;
  realtime: Realtime | null;
  storageRoot: string;
  keys: {
    anonKey: string;
    serviceRoleKey: string;
    adminJwt: string;
    userJwt: string;
    /** The legacy JWT secret (the anon and service-role keys are HS256 JWTs of it). */
    jwtSecret: string;
    publishableKey: string;
    secretKey: string;
    /** Every key of the project, the ES256 signing key of user tokens among them. */
    project: ProjectKeys;
  };
  sent: SentRequest[];
  logs: { message: string; fields?: Record<string, unknown> }[];
  // Work the functions left running after answering (process-segments' worker runs, kicked by
  // start-batch, pg_cron or a predecessor), and how each ended: tests check none failed.
  background: Promise<unknown>[];
  runs: BackgroundRun[];
  worker: (config?: Partial<WorkerConfig>) => Promise<WorkerReport>;
  call: (
    fn: string,
    body: unknown,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; body: Record<string, unknown> }>;
  close: () => Promise<void>;
}

// How one piece of background work ended: its value (a worker run's report), or its error.
export type BackgroundRun = { ok: true; value: unknown } | { ok: false; error: string };

export interface TestStackOptions {
  // Settings over the test defaults (as env strings, like the deployed function reads them).
  settings?: Record<string, string>;
  standin?: Partial<FaultAndLatency> & { seed?: number };
  // Concurrent requests the stand-in's key allows (the provider plan).
  planLimit?: number;
  // Serve Realtime (the stand-in: Broadcast from the database) and the built admin page.
  realtime?: boolean;
  adminPage?: boolean;
  // A database of the test's own (e.g. on a cluster it restarts) instead of a clone of the
  // template; the test drops it.
  dbUrl?: string;
}

// Fast defaults: tests run the real code paths with millisecond latencies and backoffs.
const TEST_SETTINGS: Record<string, string> = {
  AUDIO_GENERATION_CONCURRENCY: "3",
  CARTESIA_VOICE_ID: "test-voice",
  CARTESIA_API_KEY: TEST_KEY,
  AUDIO_BACKOFF_BASE_MS: "20",
  AUDIO_MAX_BACKOFF_MS: "200",
  AUDIO_PROVIDER_TIMEOUT_MS: "2000",
  AUDIO_VISIBILITY_TIMEOUT_S: "8",
  AUDIO_WORKER_BUDGET_S: "120",
  AUDIO_CANCEL_POLL_MS: "100",
};

export async function startTestStack(opts: TestStackOptions = {}): Promise<TestStack> {
  const database = opts.dbUrl ? null : await cloneTemplate();
  const dbUrl = opts.dbUrl ?? database!.url;
  const settingsEnv = { ...TEST_SETTINGS, ...opts.settings };
  const planLimit = opts.planLimit ?? Number(settingsEnv.AUDIO_GENERATION_CONCURRENCY);
  const cartesia = await startCartesiaStandin({
    port: 0,
    keys: { [TEST_KEY]: planLimit },
    latencyMeanMs: 20,
    latencySpread: 0.3,
    ...opts.standin,
  });
  const keys = await newProjectKeys();
  const functions = {};
  let realtime: Realtime | null = null;
  if (opts.realtime) realtime = await startRealtime({ dbUrl, keys, log: () => {} });
  // The page's config names the gateway's URL, known once it listens.
  let site: ((req: Request) => Promise<Response | null>) | null = null;
  const storage = storageFaults();
  const fixture = await startFixture({
    keys,
    dbUrl,
    functions,
    storageFaults: storage,
    ...(realtime ? { realtime: realtime.handler } : {}),
    site: (req) => (site ? site(req) : null),
  });
  const { gateway, storageRoot, anonKey, serviceRoleKey, adminJwt, userJwt } = fixture;
  if (opts.adminPage) {
    site = adminSite({
      distDir: new URL("../../admin/dist", import.meta.url).pathname,
      supabaseUrl: gateway.url,
      anonKey,
    });
  }

  const sent: SentRequest[] = [];
  const logs: TestStack["logs"] = [];
  const background: Promise<unknown>[] = [];
  const runs: BackgroundRun[] = [];
  const recordingFetch: typeof fetch = (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(cartesia.url) && typeof init?.body === "string") {
      const body = JSON.parse(init.body);
      sent.push({ at: Date.now(), voiceId: body.voice?.id, transcript: body.transcript });
    }
    return fetch(input, init);
  };
  const platform: Platform = {
    env: {},
    waitUntil: (p) =>
      void background.push(p.then(
        (value) => void runs.push({ ok: true, value }),
        (err) =>
          void runs.push({
            ok: false,
            error: err instanceof Error ? err.stack ?? err.message : String(err),
          }),
      )),
    fetch: recordingFetch,
    now: Date.now,
    log: (message, fields) => void logs.push({ message, fields }),
  };
  const settings = loadSettings({
    SUPABASE_URL: gateway.url,
    SUPABASE_SERVICE_ROLE_KEY: serviceRoleKey,
    SUPABASE_DB_URL: dbUrl,
    AUDIO_WORKER_SECRET: "test-worker-secret-0123456789",
    CARTESIA_BASE_URL: cartesia.url,
    ...settingsEnv,
  });
  const sql = createSql(dbUrl, 8);
  const app = createApp(settings, platform, sql);
  Object.assign(
    functions,
    projectFunctions(
      app,
      await Deno.readTextFile(new URL("../../supabase/config.toml", import.meta.url)),
    ),
  );

  return {
    url: gateway.url,
    dbUrl,
    sql,
    app,
    cartesia,
    gateway,
    storage,
    realtime,
    storageRoot,
    keys: {
      anonKey,
      serviceRoleKey,
      adminJwt,
      userJwt,
      jwtSecret: keys.jwtSecret,
      publishableKey: keys.publishableKey,
      secretKey: keys.secretKey,
      project: keys,
    },
    sent,
    logs,
    background,
    runs,
    worker: (config) =>
      startWorker(app, { holder: newHolder("test"), config: { idleExitMs: 500, ...config } }),
    call: async (fn, body, headers = {}) => {
      const res = await fetch(`${gateway.url}/functions/v1/${fn}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = text ? JSON.parse(text) : {};
      } catch {
        parsed = { raw: text };
      }
      return { status: res.status, body: parsed };
    },
    close: async () => {
      await Promise.all(background);
      await realtime?.close();
      await fixture.close();
      await cartesia.close();
      await sql.end({ timeout: 5 });
      await database?.drop();
    },
  };
}

// assertBackgroundClean: waits for the background work, then fails if any of it rejected or is a
// worker run that counted unexpected errors (a database or Storage call that threw). Without it a
// crashing kicked run shows at best as a timeout.
export async function assertBackgroundClean(stack: TestStack): Promise<void> {
  while (stack.background.length > 0) await stack.background.shift();
  const bad = stack.runs.filter((r) =>
    !r.ok || ((r.value as { errors?: number } | undefined)?.errors ?? 0) > 0
  );
  if (bad.length > 0) {
    // The error lines say which call threw; the counts alone do not.
    const errors = stack.logs.filter((l) => l.fields?.error != null);
    throw new Error(
      `background work failed or counted errors:\n${JSON.stringify({ bad, errors }, null, 2)}`,
    );
  }
}

export function adminHeaders(stack: TestStack): Record<string, string> {
  return { authorization: `Bearer ${stack.keys.adminJwt}` };
}

export async function waitFor<T>(
  what: string,
  probe: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
