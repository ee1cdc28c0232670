// Test support: helpers shared by the Storage contract cases (contract_objects.ts,
// contract_access.ts): sample bytes, raw requests, reading storage-js errors, disk checks.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Fixture } from "./fixture.ts";

export type FixtureFactory = () => Promise<Fixture>;

/** Bytes covering every octet value, plus a random tail: what a binary-unsafe path breaks. */
export function sampleBytes(extra = 997): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(512 + extra);
  for (let i = 0; i < 512; i++) out[i] = i % 256;
  crypto.getRandomValues(out.subarray(512));
  return out;
}

/** status / statusCode / message of a storage-js error (null when there is none). */
export function errorOf(
  error: unknown,
): { status?: number; statusCode?: string; message: string } | null {
  if (error === null || error === undefined) return null;
  const e = error as { status?: number; statusCode?: string; message?: string };
  return { status: e.status, statusCode: e.statusCode, message: e.message ?? String(error) };
}

/** A raw request to the gateway's Storage API (body and headers as given). */
export async function storageFetch(
  fx: Fixture,
  method: string,
  path: string,
  init: { token?: string | null; headers?: Record<string, string>; body?: BodyInit } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  const token = init.token === undefined ? fx.serviceRoleKey : init.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return await fetch(`${fx.gateway.url}/storage/v1/${path}`, { method, headers, body: init.body });
}

export async function bytesOf(blob: Blob | null): Promise<Uint8Array> {
  assert.ok(blob, "downloaded a blob");
  return new Uint8Array(await blob.arrayBuffer());
}

export async function onDisk(
  fx: Fixture,
  bucket: string,
  name: string,
): Promise<Uint8Array | null> {
  try {
    return await Deno.readFile(join(fx.storageRoot, bucket, ...name.split("/")));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

// Up to 5 s (250 × 20 ms) for the server to notice a cancelled download: generous on a busy
// machine; the assertion is about the handle being released, not about how fast.
export const FD_POLLS = 250;
export const FD_POLL_MS = 20;

/** How many of this process's file descriptors point at path (Linux /proc). */
export async function fdsOpenOn(path: string): Promise<number> {
  let n = 0;
  for await (const entry of Deno.readDir("/proc/self/fd")) {
    const target = await Deno.readLink(`/proc/self/fd/${entry.name}`).catch(() => "");
    if (target === path) n++;
  }
  return n;
}

export function md5Quoted(bytes: Uint8Array): string {
  return `"${createHash("md5").update(bytes).digest("hex")}"`;
}

/** Registers one Deno test per case, each with its own fixture, closed afterwards. */
export function caseRunner(label: string, setup: FixtureFactory) {
  return (name: string, fn: (fx: Fixture) => Promise<void>) =>
    Deno.test(`${label}: ${name}`, async () => {
      const fx = await setup();
      try {
        await fn(fx);
      } finally {
        await fx.close();
      }
    });
}
