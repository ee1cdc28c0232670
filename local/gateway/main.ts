// The local gateway process of scripts/stack: the project's functions (settings from the
// environment, validated as on Supabase), Storage, Realtime and the admin page on one port.
import { createApp } from "../../supabase/functions/_shared/app.ts";
import { edgePlatform } from "../../supabase/functions/_shared/platform.ts";
import { loadSettings, SettingsError } from "../../supabase/functions/_shared/settings.ts";
import { startGateway } from "./server.ts";
import type { ProjectKeys } from "./keyring.ts";
import { importSigningKey } from "./signing_key.ts";
import { startRealtime } from "../realtime/server.ts";
import { adminSite } from "./admin_site.ts";
import { projectFunctions } from "./project_functions.ts";

const env = Deno.env.toObject();
const required = (name: string) => {
  const v = env[name];
  if (!v) {
    console.error(`gateway: ${name} is not set (scripts/stack sets it)`);
    Deno.exit(2);
  }
  return v;
};

// The functions' environment as Supabase gives it to a project's Edge Functions: with the new API
// keys' secret keys by name (SUPABASE_SECRET_KEYS, which the functions use as their server key:
// settings.ts) beside the legacy SUPABASE_SERVICE_ROLE_KEY.
const functionEnv = {
  SUPABASE_SECRET_KEYS: JSON.stringify({ default: required("SUPABASE_SECRET_KEY") }),
  ...env,
};

let app;
try {
  app = createApp(loadSettings(functionEnv), edgePlatform());
} catch (err) {
  console.error(err instanceof SettingsError ? err.message : String(err));
  Deno.exit(2);
}
const root = new URL("../../", import.meta.url).pathname;
const keys: ProjectKeys = {
  jwtSecret: required("SUPABASE_JWT_SECRET"),
  signingKey: await importSigningKey(required("SUPABASE_SIGNING_KEY")),
  publishableKey: required("SUPABASE_PUBLISHABLE_KEY"),
  secretKey: required("SUPABASE_SECRET_KEY"),
};
const realtime = await startRealtime({ dbUrl: app.settings.SUPABASE_DB_URL, keys });
const gateway = await startGateway({
  port: Number(required("GATEWAY_PORT")),
  keys,
  storageRoot: required("STORAGE_ROOT"),
  dbUrl: app.settings.SUPABASE_DB_URL,
  functions: projectFunctions(app, await Deno.readTextFile(`${root}supabase/config.toml`)),
  realtime: realtime.handler,
  site: adminSite({
    distDir: `${root}admin/dist`,
    supabaseUrl: app.settings.SUPABASE_URL,
    anonKey: required("SUPABASE_ANON_KEY"),
  }),
});
console.log(`gateway listening on ${gateway.url}`);

const stop = async () => {
  await realtime.close();
  await gateway.close();
  await app.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
