// edgePlatform's CPU clock: the process's CPU time where the runtime implements it (Deno), none on
// Supabase's edge runtime, whose process.cpuUsage() answers zeros with a warning per call (a run's
// CPU budget then counts its estimate, worker/pool.ts).
import assert from "node:assert/strict";
import { edgePlatform } from "../../supabase/functions/_shared/platform.ts";

Deno.test("on Supabase's edge runtime there is no CPU clock, and work still goes to its waitUntil", () => {
  const kept: Promise<unknown>[] = [];
  const platform = edgePlatform({ EdgeRuntime: { waitUntil: (p) => void kept.push(p) } });
  assert.equal(platform.cpuMs, undefined);
  const work = Promise.resolve("done");
  platform.waitUntil(work);
  assert.deepEqual(kept, [work]);
});

Deno.test("elsewhere the CPU clock is the process's CPU time, and it counts work done", () => {
  const { cpuMs } = edgePlatform({});
  assert.ok(cpuMs, "Deno implements process.cpuUsage(): the clock is there");
  const before = cpuMs();
  // Bounded busy work: 20 ms of wall clock at most, all of it on the CPU.
  const until = performance.now() + 20;
  let spins = 0;
  while (performance.now() < until && spins < 1e9) spins++;
  const after = cpuMs();
  assert.ok(before > 0, `CPU so far ${before} ms`);
  assert.ok(after > before, `${before} ms, then ${after} ms after ${spins} spins`);
});
