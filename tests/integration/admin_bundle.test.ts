// The admin page's bundle carries no secret, whatever the build machine's environment holds: the
// page is built here with known sentinel values in every variable a secret could come from (the
// service-role key, the JWT secret, the worker secret, the provider key, each also under Vite's
// VITE_ prefix, which is what a bundle can read), and the output must contain none of them, nor
// any embedded token whose role is not anon.
import assert from "node:assert/strict";
import { SignJWT } from "jose";

const ADMIN = new URL("../../admin/", import.meta.url).pathname;

async function serviceRoleToken(secret: string): Promise<string> {
  return await new SignJWT({ role: "service_role", iss: "supabase-demo" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(secret));
}

// Every value that must never reach the browser, under the names a build could read it from.
async function sentinels(): Promise<Record<string, string>> {
  const jwtSecret = "sentinel-jwt-secret-4f1c9e2a7b3d8e6f0a5c1b9d";
  const values: Record<string, string> = {
    SUPABASE_SERVICE_ROLE_KEY: await serviceRoleToken(jwtSecret),
    SUPABASE_JWT_SECRET: jwtSecret,
    AUDIO_WORKER_SECRET: "sentinel-worker-secret-8d2e6a1f3c7b9e0d",
    CARTESIA_API_KEY: "sk_car_sentinel-provider-key-5b7e1d3a9c",
    SUPABASE_DB_URL: "postgresql://postgres:sentinel-db-password-2c8f@127.0.0.1:5/postgres",
  };
  const all = { ...values };
  for (const [name, value] of Object.entries(values)) all[`VITE_${name}`] = value;
  return all;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...await filesUnder(path));
    else out.push(path);
  }
  return out;
}

// The role claim of each JWT-shaped string in the text (undecodable ones count as "unreadable").
function embeddedTokenRoles(text: string): string[] {
  const roles: string[] = [];
  for (const m of text.matchAll(/eyJ[A-Za-z0-9_-]{5,}\.(eyJ[A-Za-z0-9_-]+)\.[A-Za-z0-9_-]*/g)) {
    try {
      const b64 = m[1].replace(/-/g, "+").replace(/_/g, "/");
      const payload = JSON.parse(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)));
      roles.push(String(payload.role));
    } catch {
      roles.push("unreadable");
    }
  }
  return roles;
}

Deno.test("admin bundle: built with secrets in the environment, it carries none of them", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "aq-admin-bundle-" });
  const secrets = await sentinels();
  try {
    const { code, stderr } = await new Deno.Command("npx", {
      args: [
        "--no-install",
        "vite",
        "build",
        "--outDir",
        outDir,
        "--emptyOutDir",
        "--logLevel",
        "error",
      ],
      cwd: ADMIN,
      env: secrets,
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, `the admin page did not build:\n${new TextDecoder().decode(stderr)}`);
    const files = await filesUnder(outDir);
    assert.ok(files.some((f) => f.endsWith(".js")), "the build wrote no JavaScript");
    for (const file of files) {
      const text = await Deno.readTextFile(file);
      for (const [name, value] of Object.entries(secrets)) {
        assert.ok(!text.includes(value), `${file.slice(outDir.length)} contains ${name}`);
      }
      for (const role of embeddedTokenRoles(text)) {
        assert.equal(role, "anon", `${file.slice(outDir.length)} embeds a ${role} token`);
      }
    }
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});
