// Runtime globals behind one small interface, so handlers are plain functions of (request, deps)
// and tests never patch globals. edgePlatform() is the real one: Deno.env, Deno.serve and
// EdgeRuntime.waitUntil (on Supabase) or a tracked promise (elsewhere), the process's CPU time
// (node:process, where the runtime implements it: Deno does; Supabase's edge runtime answers
// process.cpuUsage() with zeros and a "Not implemented" warning per call, so there the CPU clock is
// absent and a run's CPU budget counts an estimate, worker/pool.ts) and the runtime's shutdown
// notice (the beforeunload event).
import process from "node:process";

export interface Platform {
  env: Record<string, string | undefined>;
  // Keep background work alive after the response (Supabase: EdgeRuntime.waitUntil).
  waitUntil: (work: Promise<unknown>) => void;
  fetch: typeof fetch;
  now: () => number;
  // One structured log line: message for people; fields.level ("info" unless given), fields.event
  // and the rest for searching. App.platform's log redacts secrets before it gets here.
  log: (message: string, fields?: Record<string, unknown>) => void;
  // CPU time this process has used (ms), for the worker's CPU budget. Absent where the runtime
  // does not tell it (the budget then counts an estimate of the work's CPU).
  cpuMs?: () => number;
  // Call fn when the runtime is about to end this instance (Supabase's edge runtime sends
  // beforeunload). Absent: no such notice.
  onShutdown?: (fn: () => void) => void;
}

interface EdgeRuntimeGlobal {
  waitUntil?: (p: Promise<unknown>) => void;
}

// The runtime's globals edgePlatform reads (the real ones unless a test passes its own).
interface RuntimeGlobals {
  EdgeRuntime?: EdgeRuntimeGlobal;
}

export function edgePlatform(
  globals: RuntimeGlobals = globalThis as RuntimeGlobals,
): Platform {
  const edge = globals.EdgeRuntime;
  return {
    env: Deno.env.toObject(),
    waitUntil: edge?.waitUntil
      ? (p) => edge.waitUntil!(p)
      : (p) =>
        void p.catch((e) =>
          console.error("background work failed:", e instanceof Error ? e.message : e)
        ),
    fetch: globalThis.fetch.bind(globalThis),
    now: Date.now,
    cpuMs: edge ? undefined : () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    },
    onShutdown: (fn) => globalThis.addEventListener("beforeunload", fn),
    // One JSON line per call; "error" and "warn" lines go to stderr, the rest to stdout.
    log: (message, fields) => {
      const line = JSON.stringify({ level: "info", message, ...fields });
      if (fields?.level === "error" || fields?.level === "warn") console.error(line);
      else console.log(line);
    },
  };
}
