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
  const batchId = await queueBatch(rig, sc, opt.firstGrade + index, opt.n);
  const deadline = Date.now() + opt.timeoutMs;
  const segments = await rig.sql<{ text: string }[]>`select text from public.audio_segments
    where batch_id = ${batchId}`;
  const faults = await injectAll(rig, sc, batchId, segments.length, deadline);
  const ended = await pollUntil(async () => {
    const [b] = await rig.sql`select status from public.audio_batches where id = ${batchId}`;
    return FINISHED.includes(b.status);
  }, Math.max(0, deadline - Date.now()));
  const result = await measure(rig, {
    name: sc.name,
    batchId,
    texts: new Set(segments.map((s) => okKey(rig.voiceId, s.text))),
    ...faults,
    workerExits: rig.workers.unexpectedExits() - exitsBefore,
    timed: opt.timed,
  });
  if (!ended) await rig.sql`select audio.cancel_batch(${batchId}::uuid)`.catch(() => {});
  return result;
}

// queueBatch: the scenario's words (n of their own, plus its same-text pairs) in a grade of
// their own, and a batch of them; its id.
async function queueBatch(rig: FaultRig, sc: Scenario, grade: number, n: number) {
  const label = `faults ${grade} ${crypto.randomUUID().slice(0, 8)}`;
  await rig.sql`insert into public.words (word, definition, example_sentence, grade)
    select ${label} || ' segment ' || i || ' of ' || ${n}::int, '', '', ${grade}::smallint
    from generate_series(1, ${n}::int) as i`;
  if (sc.sameTextPairs > 0) {
    await rig.sql`insert into public.words (word, definition, example_sentence, grade)
    select ${label} || ' twin ' || (i % ${sc.sameTextPairs}::int), '', '', ${grade}::smallint
    from generate_series(1, ${2 * sc.sameTextPairs}::int) as i`;
  }
  const [batch] = await rig.sql<{ batch_id: string }[]>`select batch_id from audio.create_batch(
    p_grade => ${grade}::smallint, p_kinds => array['word'], p_voice_id => ${rig.voiceId},
    p_model_id => ${MODEL}, p_format => ${FORMAT}, p_missing_only => false)`;
  return batch.batch_id;
}

// injectAll: each step's faults (together) once its share of the batch is done; the crashes
// they count and the end the resume time is measured from — the last Postgres restart's if
// there was one (its time has a target), else the last fault's.
async function injectAll(
  rig: FaultRig,
  sc: Scenario,
  batchId: string,
  segments: number,
  deadline: number,
) {
  let crashes = 0;
  let faultEndedAt: number | null = null;
  let resumeTarget = false;
  for (const step of sc.injections) {
    const want = Math.ceil(step.at * segments);
    await pollUntil(async () => {
      const [r] = await rig.sql`select count(*)::int as n from public.audio_segments
        where batch_id = ${batchId} and status = 'done'`;
      return r.n >= want;
    }, Math.max(0, deadline - Date.now()));
    rig.note(`${sc.name}: injecting ${step.kinds.join(", ")}`);
    const results = await Promise.all(step.kinds.map((k) => inject(rig, k, batchId)));
    crashes += results.reduce((a, r) => a + r.crashes, 0);
    const end = lastEnd(results);
    const postgres = results.some((r) => r.postgres);
    if (end !== null && (postgres || !resumeTarget)) {
      faultEndedAt = end;
      resumeTarget = postgres;
    }
  }
  return { crashes, faultEndedAt, resumeTarget };
}

function lastEnd(results: Injected[]): number | null {
  const ends = results.map((r) => r.endedAt).filter((e): e is number => e !== null);
  return ends.length > 0 ? Math.max(...ends) : null;
}
