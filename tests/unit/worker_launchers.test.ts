// The two ways the long-lived worker is started — scripts/worker (what a team runs) and
// spawnWorker (what the benchmark and the fault suite measure) — give Deno the same flags, so the
// benchmark's memory and CPU figures are the launcher's.
import assert from "node:assert/strict";
import { WORKER_DENO_FLAGS } from "../../scripts/faults/worker_procs.ts";

const LAUNCHER = new URL("../../scripts/worker", import.meta.url).pathname;

Deno.test("scripts/worker runs the worker with the flags the benchmark runs it with", async () => {
  const text = await Deno.readTextFile(LAUNCHER);
  // The exec line, continued over backslash-newlines.
  const exec = /^exec "\$DENO" run ((?:[^\n]|\\\n)*)$/m.exec(text);
  assert.ok(exec, "scripts/worker has no exec line");
  const flags = exec[1].replace(/\\\n/g, " ").split(/\s+/).filter((w) => w.startsWith("--"));
  assert.deepEqual(flags.sort(), [...WORKER_DENO_FLAGS].sort());
});
