// One scenario from start to figures: its words, its batch, the faults at their shares of the
// batch, a bounded wait for the batch to end, the measurement; then whatever it left is cleaned
// up (faults closed, an unfinished batch cancelled) so the next scenario starts clear.
import { okKey } from "../../local/cartesia/server.ts";
import { inject, type Injected } from "./inject.ts";
import { measure, type ScenarioResult } from "./measure.ts";
import { type FaultRig, pollUntil } from "./rig.ts";
import type { Scenario } from "./scenarios.ts";

export interface RunOptions {
  /** Segments in the batch (besides the same-text pairs). */
  n: number;
  /** Worker processes kept running. */
  workers: number;
  /** The most a batch may take to end, from its creation (ms). */
  timeoutMs: number;
  /** Hold the results to wall-clock targets (the benchmark; never the test). */
  timed: boolean;
  /** Words of each scenario get their own grade, from this one up. */
  firstGrade: number;
}

const FINISHED = ["completed", "completed_with_errors", "cancelled"];
/** The format the workers produce by default (.env.example): the batch asks for the same. */
const MODEL = "sonic-2";
const FORMAT = "wav-pcm_s16le-44100";

export async function runScenario(
  rig: FaultRig,
  sc: Scenario,
  index: number,
  opt: RunOptions,
): Promise<ScenarioResult> {
  await rig.workers.ensure(opt.workers);
  const exitsBefore = rig.workers.unexpectedExits();
  const grade = opt.firstGrade + index;
  const label = `faults ${index} ${crypto.randomUUID().slice(0, 8)}`;
  await rig.sql`insert into public.words (word, definition, example_sentence, grade)
    select ${label} || ' segment ' || i || ' of ' || ${opt.n}::int, '', '', ${grade}::smallint
    from generate_series(1, ${opt.n}::int) as i`;
  if (sc.sameTextPairs > 0) {
    await rig.sql`insert into public.words (word, definition, example_sentence, grade)
    select ${label} || ' twin ' || (i % ${sc.sameTextPairs}::int), '', '', ${grade}::smallint
    from generate_series(1, ${2 * sc.sameTextPairs}::int) as i`;
  }
  const [batch] = await rig.sql<{ batch_id: string }[]>`select batch_id from audio.create_batch(
    p_grade => ${grade}::smallint, p_kinds => array['word'], p_voice_id => ${rig.voiceId},
    p_model_id => ${MODEL}, p_format => ${FORMAT}, p_missing_only => false)`;
  const batchId = batch.batch_id;
  const deadline = Date.now() + opt.timeoutMs;
  const segments = await rig.sql<{ text: string }[]>`select text from public.audio_segments
    where batch_id = ${batchId}`;
  const texts = new Set(segments.map((s) => okKey(rig.voiceId, s.text)));

  let crashes = 0;
  let faultEndedAt: number | null = null;
  let resumeTarget = false;
  for (const step of sc.injections) {
    const want = Math.ceil(step.at * segments.length);
    await pollUntil(async () => {
      const [r] = await rig.sql`select count(*)::int as n from public.audio_segments
        where batch_id = ${batchId} and status = 'done'`;
      return r.n >= want;
    }, Math.max(0, deadline - Date.now()));
    rig.note(`${sc.name}: injecting ${step.kinds.join(", ")}`);
    const results = await Promise.all(step.kinds.map((k) => inject(rig, k, batchId)));
    crashes += results.reduce((a, r) => a + r.crashes, 0);
    const end = lastEnd(results);
    // The resume time after a Postgres restart is the one with a target: prefer it.
    if (end !== null && (results.some((r) => r.postgres) || !resumeTarget)) {
      faultEndedAt = end;
      resumeTarget = results.some((r) => r.postgres);
    }
  }
  const ended = await pollUntil(async () => {
    const [b] = await rig.sql`select status from public.audio_batches where id = ${batchId}`;
    return FINISHED.includes(b.status);
  }, Math.max(0, deadline - Date.now()));
  const result = await measure(rig, {
    name: sc.name,
    batchId,
    texts,
    faultEndedAt,
    crashes,
    resumeTarget,
    workerExits: rig.workers.unexpectedExits() - exitsBefore,
    timed: opt.timed,
  });
  if (!ended) await rig.sql`select audio.cancel_batch(${batchId}::uuid)`.catch(() => {});
  return result;
}

function lastEnd(results: Injected[]): number | null {
  const ends = results.map((r) => r.endedAt).filter((e): e is number => e !== null);
  return ends.length > 0 ? Math.max(...ends) : null;
}
