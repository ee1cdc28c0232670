// Prints the local stack's keys as env lines for a JWT secret given in SUPABASE_JWT_SECRET:
// anon and service-role keys, a dev super-admin token and a plain user's token.
import { localKeys, signUserJwt } from "./keys.ts";

const secret = Deno.env.get("SUPABASE_JWT_SECRET");
if (!secret) {
  console.error("keys: SUPABASE_JWT_SECRET is not set");
  Deno.exit(2);
}
// Fixed ids so tokens survive restarts and rows stay attributable across runs.
const DEV_ADMIN_ID = "00000000-0000-4000-a000-00000000ad01";
const DEV_USER_ID = "00000000-0000-4000-a000-00000000a5e1";
const YEAR_S = 365 * 24 * 3600;

const { anonKey, serviceRoleKey } = await localKeys(secret);
const admin = await signUserJwt(secret, {
  sub: DEV_ADMIN_ID,
  email: "admin@audio-queue.local",
  appMetadata: { role: "super_admin" },
  expiresInS: YEAR_S,
});
const user = await signUserJwt(secret, {
  sub: DEV_USER_ID,
  email: "user@audio-queue.local",
  expiresInS: YEAR_S,
});
console.log(`SUPABASE_ANON_KEY=${anonKey}`);
console.log(`SUPABASE_SERVICE_ROLE_KEY=${serviceRoleKey}`);
console.log(`ADMIN_JWT=${admin}`);
console.log(`USER_JWT=${user}`);
