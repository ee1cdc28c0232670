// Long-lived worker processes (supabase/functions/_shared/worker/main.ts, as scripts/worker runs
// them) for the fault suite: started with one environment, each known by its pid and holder,
// killed with SIGKILL on purpose, and counted when one exits on its own (a worker that does not
// survive a fault). Only processes started here are ever signalled, each by its own handle.

const ROOT = new URL("../../", import.meta.url).pathname;
/** How long a stopping worker gets to hand back its claims before it is killed. */
const STOP_GRACE_MS = 10_000;
/** How long a new worker gets to connect and say it started (Deno compiles on first run). */
const START_TIMEOUT_MS = 60_000;
/** The workers' latest lines kept besides their start lines: what a missed target is read with. */
const LINES_KEPT = 100;

interface Proc {
  child: Deno.ChildProcess;
  holder: string;
  killedOnPurpose: boolean;
  exited: boolean;
}

export interface WorkerProcesses {
  /** Starts workers until `count` are alive; resolves once each new one said it started. */
  ensure(count: number): Promise<void>;
  /** Holders of the live workers. */
  holders(): string[];
  /** SIGKILLs the live worker with this holder; resolves once it is gone. */
  kill(holder: string): Promise<void>;
  /** Workers that exited without being killed or stopped here, since the start. */
  unexpectedExits(): number;
  /** The workers' latest lines other than their start lines (quiet workers print their retries,
   * failures, errors and stop line), oldest first, each after its process id. */
  lines(): string[];
  /** SIGTERM to all, then SIGKILL to any still there after the grace period. */
  stopAll(): Promise<void>;
}

/** How scripts/worker runs the worker: no file writes, and V8's young generation held to 2 MiB
 * semi-spaces. Left to V8, the semi-spaces grow towards 16 MiB under the worker's allocation rate
 * (the heap at 43 MiB with 18 used at C = 15); held at 2 MiB the bench's peak RSS at C = 15 fell
 * from 111-126 to 91-92 MiB, with CPU per segment and plan busy within their run-to-run spread. */
export const WORKER_DENO_FLAGS = [
  "--allow-net",
  "--allow-env",
  "--allow-read",
  "--v8-flags=--max-semi-space-size=2",
];

/** One long-lived worker process (quiet: its stdout carries only its start line and its
 * problems, one JSON line each), as scripts/worker runs it. Used here and by scripts/bench.ts. */
export function spawnWorker(
  env: Record<string, string>,
  stderr: "inherit" | "null",
): Deno.ChildProcess {
  return new Deno.Command(`${ROOT}tools/node_modules/.bin/deno`, {
    args: [
      "run",
      ...WORKER_DENO_FLAGS,
      `${ROOT}supabase/functions/_shared/worker/main.ts`,
      "--quiet",
    ],
    env,
    stdout: "piped",
    stderr,
  }).spawn();
}

export function workerProcesses(env: Record<string, string>): WorkerProcesses {
  const procs: Proc[] = [];
  let stopping = false;
  let unexpected = 0;
  const kept: string[] = [];
  const live = () => procs.filter((p) => !p.exited);

  const spawn = (): Promise<void> => {
    const child = spawnWorker(env, "null");
    const proc: Proc = { child, holder: "", killedOnPurpose: false, exited: false };
    procs.push(proc);
    let started!: () => void;
    const ready = new Promise<void>((r) => (started = r));
    (async () => {
      let buf = "";
      const decoder = new TextDecoder();
      for await (const bytes of child.stdout) {
        buf += decoder.decode(bytes, { stream: true });
        let i: number;
        while ((i = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          try {
            const msg = JSON.parse(line);
            if (msg.message === "worker started") {
              proc.holder = msg.holder;
              started();
            } else {
              kept.push(`${child.pid} ${line}`);
              if (kept.length > LINES_KEPT) kept.shift();
            }
          } catch {
            // not a JSON line
          }
        }
      }
    })().catch(() => {});
    child.status.then(() => {
      proc.exited = true;
      if (!proc.killedOnPurpose && !stopping) unexpected++;
      started();
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`a worker did not start within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
    });
    return Promise.race([ready, timeout]).finally(() => clearTimeout(timer));
  };

  return {
    async ensure(count) {
      const missing = Math.max(0, count - live().length);
      await Promise.all(Array.from({ length: missing }, spawn));
    },
    holders: () => live().map((p) => p.holder),
    async kill(holder) {
      const proc = live().find((p) => p.holder === holder);
      if (!proc) throw new Error(`no live worker ${holder}`);
      proc.killedOnPurpose = true;
      proc.child.kill("SIGKILL");
      await proc.child.status;
    },
    unexpectedExits: () => unexpected,
    lines: () => [...kept],
    async stopAll() {
      stopping = true;
      for (const p of live()) p.child.kill("SIGTERM");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise((r) => (timer = setTimeout(r, STOP_GRACE_MS)));
      await Promise.race([Promise.all(procs.map((p) => p.child.status)), grace]);
      clearTimeout(timer);
      for (const p of live()) {
        p.killedOnPurpose = true;
        p.child.kill("SIGKILL");
      }
      await Promise.all(procs.map((p) => p.child.status));
    },
  };
}
