// What a benchmark run drives: its own Cartesia stand-in (a plan above C, so every request the
// workers send is counted, never refused), the gateway for Storage, the database of
// AQ_BENCH_DB_URL, long-lived worker processes, and the few queries the phases share (words of
// a grade, a batch of them, waiting for its end). scripts/bench.ts and scripts/bench_plan.ts
// build one each.
import postgres from "postgres";
import { type CartesiaStandin, startCartesiaStandin } from "../../local/cartesia/server.ts";
import { localKeys, randomSecret } from "../../local/gateway/keys.ts";
import { newProjectKeys } from "../../local/gateway/keyring.ts";
import { startGateway } from "../../local/gateway/server.ts";
import { spawnWorker } from "../faults/worker_procs.ts";

/** The stand-in's plan is the largest C plus this, so it never refuses what workers send: its
 * count of requests at once is then the workers' real concurrency. */
const PLAN_HEADROOM = 10;
const LARGEST_C = 20;
const POLL_MS = 20; // completion is read from the database this often
const TIMEOUT_MS = 30 * 60_000; // no phase of a bounded run takes half an hour
const START_TIMEOUT_MS = 60_000; // a worker process says it started within seconds
const API_KEY = "bench-key";
export const VOICE = "bench-voice";

export interface WorkerFinal {
  roundTrips: number;
  peakRssBytes: number;
  errors: number;
  /** CPU time the process used, user + system (ms). */
  cpuMs: number;
  done: number;
}
export interface Workers {
  procs: Deno.ChildProcess[];
  holders: string[];
  finals: Promise<WorkerFinal>[];
}

export interface Rig {
  sql: postgres.Sql;
  cartesia: CartesiaStandin;
  /** The workers' environment for a limit of C (more settings may be added by the caller). */
  env(concurrency: number): Record<string, string>;
  startWorkers(count: number, env: Record<string, string>): Promise<Workers>;
  stopWorkers(w: Workers): Promise<WorkerFinal[]>;
  addWords(grade: number, count: number, label: string): Promise<void>;
  queueGrade(grade: number): Promise<string>;
  waitForStatus(batchId: string, statuses: string[]): Promise<number>;
  waitUntil(ok: () => Promise<boolean>): Promise<void>;
  close(grades: number[]): Promise<void>;
}

export function die(message: string): never {
  console.error(`bench: ${message}`);
  Deno.exit(2);
}

// Lines of a child's stdout, as they come.
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = "";
  const decoder = new TextDecoder();
  for await (const bytes of stream) {
    buf += decoder.decode(bytes, { stream: true });
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, i);
      buf = buf.slice(i + 1);
    }
  }
  if (buf) yield buf;
}

export async function buildRig(
  latency: { latencyMeanMs: number; latencySpread: number },
  workerEnv: Record<string, string>,
): Promise<Rig> {
  const dbUrl = Deno.env.get("AQ_BENCH_DB_URL") ??
    die("AQ_BENCH_DB_URL is not set; run scripts/bench");
  const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
  const storageRoot = await Deno.makeTempDir({ prefix: "aq-bench-" });
  const cartesia = await startCartesiaStandin({
    port: 0,
    keys: { [API_KEY]: LARGEST_C + PLAN_HEADROOM },
    ...latency,
  });
  const keys = await newProjectKeys();
  const { serviceRoleKey } = await localKeys(keys.jwtSecret);
  const gateway = await startGateway({
    port: 0,
    keys,
    storageRoot,
    dbUrl,
    functions: {},
    log: () => {},
  });
  const children: Deno.ChildProcess[] = [];
  const secret = randomSecret();

  const startWorkers = async (count: number, env: Record<string, string>) => {
    const w: Workers = { procs: [], holders: [], finals: [] };
    const started: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const child = spawnWorker(env, "inherit");
      children.push(child);
      w.procs.push(child);
      let ready!: () => void;
      let gone!: () => void;
      started.push(
        new Promise<void>((res, rej) => {
          ready = res;
          gone = () => rej(new Error(`worker ${i} ended before it started (its log is above)`));
        }),
      );
      const index = i;
      w.finals.push((async () => {
        const out = { roundTrips: 0, peakRssBytes: 0, errors: 0, cpuMs: 0, done: 0 };
        for await (const line of lines(child.stdout)) {
          const msg = JSON.parse(line);
          if (msg.message === "worker started") {
            w.holders[index] = msg.holder;
            ready();
          }
          if (msg.message === "worker stopped") {
            for (const k of Object.keys(out) as (keyof WorkerFinal)[]) out[k] = msg[k] ?? 0;
          }
        }
        // Its output ended: a worker that never said it started is not waited for.
        if (w.holders[index] === undefined) gone();
        return out;
      })());
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, rej) => {
      timer = setTimeout(
        () => rej(new Error(`a worker did not start within ${START_TIMEOUT_MS / 1000} s`)),
        START_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([Promise.all(started), late]);
    } catch (err) {
      die((err as Error).message);
    } finally {
      clearTimeout(timer);
    }
    return w;
  };

  const waitUntil = async (ok: () => Promise<boolean>) => {
    const t0 = performance.now();
    while (!(await ok())) {
      if (performance.now() - t0 > TIMEOUT_MS) die("a bench phase did not progress in 30 minutes");
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };

  return {
    sql,
    cartesia,
    env: (concurrency) => ({
      SUPABASE_URL: gateway.url,
      SUPABASE_SERVICE_ROLE_KEY: serviceRoleKey,
      SUPABASE_DB_URL: dbUrl,
      AUDIO_WORKER_SECRET: secret,
      CARTESIA_BASE_URL: cartesia.url,
      CARTESIA_API_KEY: API_KEY,
      CARTESIA_VOICE_ID: VOICE,
      AUDIO_GENERATION_CONCURRENCY: String(concurrency),
      ...workerEnv,
    }),
    startWorkers,
    async stopWorkers(w) {
      for (const c of w.procs) {
        try {
          c.kill("SIGTERM");
        } catch {
          // already gone (killed on purpose)
        }
      }
      const reports = await Promise.all(w.finals);
      for (const c of w.procs) await c.status;
      return reports;
    },
    // `count` words of their own grade, one segment each (the word).
    async addWords(grade, count, label) {
      await sql`delete from public.words where grade = ${grade}`;
      await sql`insert into public.words (word, definition, example_sentence, grade)
        select ${label} || ' segment ' || i || ' of ' || ${count}::int, '', '', ${grade}::smallint
        from generate_series(1, ${count}::int) as i`;
    },
    async queueGrade(grade) {
      const [batch] = await sql`select * from audio.create_batch(p_grade => ${grade}::smallint,
        p_kinds => array['word'], p_voice_id => ${VOICE}, p_model_id => 'sonic-2',
        p_format => 'wav-pcm_s16le-44100', p_missing_only => false)`;
      return batch.batch_id;
    },
    // Until the batch's status is one of `statuses`; how long that took (ms).
    async waitForStatus(batchId, statuses) {
      const t0 = performance.now();
      await waitUntil(async () => {
        const [{ status }] =
          await sql`select status from public.audio_batches where id = ${batchId}`;
        return statuses.includes(status);
      });
      return performance.now() - t0;
    },
    waitUntil,
    async close(grades) {
      for (const c of children) {
        try {
          c.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
      await gateway.close();
      await cartesia.close();
      await sql`delete from public.words where grade = any(${grades})`.catch(() => {});
      await sql.end({ timeout: 5 });
      await Deno.remove(storageRoot, { recursive: true });
    },
  };
}
