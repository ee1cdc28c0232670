// The local stack's keys as env lines (scripts/stack).
//   `keys_main.ts new`: fresh secrets for .local/secrets.env — the ES256 signing key and the new
//     publishable and secret API keys (the legacy JWT secret is made by the script itself).
//   `keys_main.ts`: from those secrets in the environment, the anon and service-role keys (HS256
//     JWTs of SUPABASE_JWT_SECRET), the publishable and secret keys, and a dev super-admin's and
//     a plain user's access tokens signed with the signing key.
import { localKeys, signUserJwt } from "./keys.ts";
import { newApiKeys } from "./keyring.ts";
import { exportSigningKey, importSigningKey, newSigningKey } from "./signing_key.ts";

const need = (name: string): string => {
  const v = Deno.env.get(name);
  if (!v) {
    console.error(`keys: ${name} is not set (scripts/stack keeps it in .local/secrets.env)`);
    Deno.exit(2);
  }
  return v;
};

if (Deno.args[0] === "new") {
  const { publishableKey, secretKey } = newApiKeys();
  console.log(`SUPABASE_SIGNING_KEY=${await exportSigningKey(await newSigningKey())}`);
  console.log(`SUPABASE_PUBLISHABLE_KEY=${publishableKey}`);
  console.log(`SUPABASE_SECRET_KEY=${secretKey}`);
  Deno.exit(0);
}

// Fixed ids so tokens survive restarts and rows stay attributable across runs.
const DEV_ADMIN_ID = "00000000-0000-4000-a000-00000000ad01";
const DEV_USER_ID = "00000000-0000-4000-a000-00000000a5e1";
// The dev tokens last a year so a long-running local stack never needs a sign-in flow.
const YEAR_S = 365 * 24 * 3600;

const signingKey = await importSigningKey(need("SUPABASE_SIGNING_KEY"));
const { anonKey, serviceRoleKey } = await localKeys(need("SUPABASE_JWT_SECRET"));
const admin = await signUserJwt(signingKey, {
  sub: DEV_ADMIN_ID,
  email: "admin@audio-queue.local",
  appMetadata: { role: "super_admin" },
  expiresInS: YEAR_S,
});
const user = await signUserJwt(signingKey, {
  sub: DEV_USER_ID,
  email: "user@audio-queue.local",
  expiresInS: YEAR_S,
});
console.log(`SUPABASE_ANON_KEY=${anonKey}`);
console.log(`SUPABASE_SERVICE_ROLE_KEY=${serviceRoleKey}`);
console.log(`SUPABASE_PUBLISHABLE_KEY=${need("SUPABASE_PUBLISHABLE_KEY")}`);
console.log(`SUPABASE_SECRET_KEY=${need("SUPABASE_SECRET_KEY")}`);
console.log(`ADMIN_JWT=${admin}`);
console.log(`USER_JWT=${user}`);
