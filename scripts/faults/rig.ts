// What the fault suite drives: a database with the migrated schema, the Cartesia stand-in (its
// request log is the provider's clock), the gateway's Storage faults, long-lived worker
// processes, and — where the suite owns the cluster — a way to restart Postgres. The benchmark
// (scripts/bench_faults.ts) and the test (tests/integration/fault_suite.test.ts) each build one.
import type postgres from "postgres";
import type { CartesiaStandin } from "../../local/cartesia/server.ts";
import type { StorageFaults } from "../../local/gateway/storage/faults.ts";
import type { WorkerProcesses } from "./worker_procs.ts";

export type Sql = ReturnType<typeof postgres>;
export type ShutdownMode = "fast" | "immediate";

export interface FaultRig {
  sql: Sql;
  cartesia: CartesiaStandin;
  storage: StorageFaults;
  workers: WorkerProcesses;
  /** The voice the workers speak with (the stand-in logs requests as voice|text). */
  voiceId: string;
  /** The workers' AUDIO_PROVIDER_TIMEOUT_MS: a hang lasts past it. */
  providerTimeoutMs: number;
  /** Restarts the cluster (pg_ctl restart -m mode); resolves once it accepts connections again.
   * Absent where the suite does not own the cluster: the Postgres scenarios are then skipped. */
  restartPostgres?: (mode: ShutdownMode) => Promise<void>;
  /** Progress lines (stderr in the benchmark). */
  note: (line: string) => void;
}

/** How often a wait re-reads the database: often enough to catch a batch mid-flight. */
export const POLL_MS = 50;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns a value, at most `timeoutMs`; null when time ran out. A probe
 * that throws (Postgres restarting) counts as not yet.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch {
      // the database is away for a moment: try again
    }
    await sleep(POLL_MS);
  }
  return null;
}
