// One throughput run: N segments of their own through W long-lived worker processes sharing a
// limit of C, against the stand-in's latency model; the figures at the provider (figures.ts), the
// segments' end states, and what each worker said when it stopped (round trips, CPU, memory).
import { type PlanFigures, planFigures } from "./figures.ts";
import type { Rig, WorkerFinal } from "./rig.ts";

export interface RunCase {
  n: number;
  latencyMs: number;
  spread: number;
  concurrency: number;
  workers: number;
}

export interface RunResult {
  case: RunCase;
  plan: PlanFigures;
  done: number;
  failed: number;
  /** The mean request time as the workers measured it (includes their side of each request). */
  workerMeanMs: number;
  workerRateLimited: number;
  wallMs: number;
  workers: WorkerFinal[];
}

/** The words of a throughput run: a grade apart from the sample vocabulary. */
export const THROUGHPUT_GRADE = 999;

export async function throughputRun(rig: Rig, c: RunCase): Promise<RunResult> {
  const { sql, cartesia } = rig;
  await sql`truncate public.audio_batches, public.audio_segments, public.word_audio, audio.generated_audio cascade`;
  await sql`select pgmq.purge_queue(queue_name => 'audio_segments'::text)`;
  await rig.addWords(THROUGHPUT_GRADE, c.n, `bench ${c.latencyMs} ms`);
  cartesia.configure({ latencyMeanMs: c.latencyMs, latencySpread: c.spread });
  const workers = await rig.startWorkers(c.workers, rig.env(c.concurrency));
  cartesia.resetStats();

  const t0 = performance.now();
  const batchId = await rig.queueGrade(THROUGHPUT_GRADE);
  // The stand-in's clock is Date.now in this process: the batch's answer on the same clock.
  const answeredAt = Date.now();
  await rig.waitForStatus(batchId, ["completed", "completed_with_errors", "cancelled"]);
  const wallMs = performance.now() - t0;
  const finals = await rig.stopWorkers(workers);

  const [m] = await sql`select count(*) filter (where status = 'done')::int as done,
      count(*) filter (where status = 'failed')::int as failed,
      coalesce(avg(provider_ms), 0)::float as mean_ms, coalesce(sum(rate_limited), 0)::int as rate_limited
    from public.audio_segments where batch_id = ${batchId}`;
  return {
    case: c,
    plan: planFigures(cartesia.stats().requests, c.concurrency, answeredAt),
    done: m.done,
    failed: m.failed,
    workerMeanMs: m.mean_ms,
    workerRateLimited: m.rate_limited,
    wallMs,
    workers: finals,
  };
}
