// The faults, one function each: what is done to the pipeline, when it was over (on the
// stand-in's clock, which is this process's Date.now) and how many crashes it counts.
import { type FaultRig, pollUntil, type ShutdownMode, sleep } from "./rig.ts";

export type FaultKind =
  | "pg-restart-fast"
  | "pg-restart-immediate"
  | "worker-kill-9"
  | "provider-hang"
  | "provider-5xx"
  | "storage-500"
  | "storage-stall"
  | "word-edits";

export interface Injected {
  /** When the fault was over; null for an edit (no outage to recover from). */
  endedAt: number | null;
  /** Crashes it counts toward the duplicate allowance (a killed worker, a Postgres restart). */
  crashes: number;
  /** Whether the resume time after it is held to the Postgres target. */
  postgres: boolean;
}

/** A 5xx burst: a couple of seconds, shorter than the retries' backoff a healthy worker rides. */
const BURST_5XX_MS = 2000;
/** Storage answering 500: long enough for several uploads to fail and be retried. */
const STORAGE_500_MS = 3000;
/** Uploads stalled: longer than a provider request, so every slot ends up waiting on Storage. */
const STORAGE_STALL_MS = 5000;
/** Past the hang window's end, requests hang no longer; the window outlasts one timeout. */
const HANG_BEYOND_TIMEOUT_MS = 1000;
/** How long to look for a worker that holds a permit before killing any one. */
const VICTIM_WAIT_MS = 10_000;
/** How long Postgres gets to accept connections again after pg_ctl returns. */
const PG_BACK_TIMEOUT_MS = 60_000;

export function inject(rig: FaultRig, kind: FaultKind, batchId: string): Promise<Injected> {
  switch (kind) {
    case "pg-restart-fast":
      return restartPostgres(rig, "fast");
    case "pg-restart-immediate":
      return restartPostgres(rig, "immediate");
    case "worker-kill-9":
      return killWorker(rig, batchId);
    case "provider-hang":
      return window(rig.providerTimeoutMs + HANG_BEYOND_TIMEOUT_MS, {
        open: () => rig.cartesia.configure({ hangRate: 1 }),
        close: () => rig.cartesia.configure({ hangRate: 0 }),
      });
    case "provider-5xx":
      return window(BURST_5XX_MS, {
        open: () => rig.cartesia.configure({ rate5xx: 1 }),
        close: () => rig.cartesia.configure({ rate5xx: 0 }),
      });
    case "storage-500":
      return window(STORAGE_500_MS, {
        open: () => rig.storage.failFor(STORAGE_500_MS),
        close: () => rig.storage.clear(),
      });
    case "storage-stall":
      return window(STORAGE_STALL_MS, {
        open: () => rig.storage.stallFor(STORAGE_STALL_MS),
        close: () => rig.storage.clear(),
      });
    case "word-edits":
      return editWords(rig, batchId);
  }
}

async function window(
  ms: number,
  w: { open: () => void; close: () => void },
): Promise<Injected> {
  w.open();
  await sleep(ms);
  w.close();
  return { endedAt: Date.now(), crashes: 0, postgres: false };
}

async function restartPostgres(rig: FaultRig, mode: ShutdownMode): Promise<Injected> {
  if (!rig.restartPostgres) throw new Error("this rig cannot restart Postgres");
  await rig.restartPostgres(mode);
  // Postgres is back when a query answers (the pool's old connections fail first, then reopen).
  const back = await pollUntil(
    async () => (await rig.sql`select 1 as up`)[0].up === 1,
    PG_BACK_TIMEOUT_MS,
  );
  if (!back) {
    throw new Error(
      `Postgres did not accept connections ${PG_BACK_TIMEOUT_MS} ms after the restart`,
    );
  }
  return { endedAt: Date.now(), crashes: 1, postgres: true };
}

// A worker holding a permit for this batch (one mid-request), killed with SIGKILL; a new one is
// started in its place, as a supervisor would.
async function killWorker(rig: FaultRig, batchId: string): Promise<Injected> {
  const holders = rig.workers.holders();
  const busy = await pollUntil(async () => {
    const [row] = await rig.sql<{ holder: string }[]>`select p.holder from audio.permits as p
      join public.audio_segments as s on s.id = p.segment_id
      where s.batch_id = ${batchId} and p.holder = any(${holders}) limit 1`;
    return row?.holder;
  }, VICTIM_WAIT_MS);
  const victim = busy ?? holders[0];
  await rig.workers.kill(victim);
  const endedAt = Date.now();
  rig.note(`killed worker ${victim}${busy ? " mid-request" : " (none held a permit)"}`);
  await rig.workers.ensure(holders.length);
  return { endedAt, crashes: 1, postgres: false };
}

// One word of the batch deleted and another's text edited, both while their segments are still
// queued (the last in claim order, so they are the furthest from being taken).
async function editWords(rig: FaultRig, batchId: string): Promise<Injected> {
  const words = await rig.sql<{ word_id: string }[]>`select word_id from public.audio_segments
    where batch_id = ${batchId} and status = 'queued' order by id desc limit 2`;
  if (words.length < 2) {
    rig.note("word edits: fewer than two segments still queued; edited what was left");
  }
  if (words[0]) await rig.sql`delete from public.words where id = ${words[0].word_id}`;
  if (words[1]) {
    await rig.sql`update public.words set word = word || ' (edited)' where id = ${
      words[1].word_id
    }`;
  }
  return { endedAt: null, crashes: 0, postgres: false };
}
