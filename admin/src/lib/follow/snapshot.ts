// The snapshot half of followBatch: the batch row (with the seq of the last message sent), then
// the batch's segments page by page (keyset on id), merged into what is held as of that seq; held
// segments the snapshot no longer returns are dropped, unless a message carried them while it
// loaded. A load asked for while one runs becomes one
// more round (subscriptions can flap); a failed load is retried a few times, never after a 401 or
// 403, which no retry can mend.

import { MAX_SEGMENT_PAGE, MAX_SNAPSHOT_ROUNDS } from "../config.ts";
import { AudioQueueError, toError } from "../errors.ts";
import type { Timers } from "../timers.ts";
import type { SegmentStatus } from "../types.ts";
import type { FollowClient } from "./follow_types.ts";
import type { HeldBatch } from "./held.ts";
import { segmentKey } from "./segment_store.ts";

export interface SnapshotDeps {
  client: FollowClient;
  held: HeldBatch;
  timers: Timers;
  /** Load only segments in these statuses (and keep held ones in other statuses); default all. */
  statuses?: readonly SegmentStatus[];
  /** Pages of MAX_SEGMENT_PAGE per status, at most. */
  maxSnapshotPages: number;
  /** Wait before retrying a failed load. */
  snapshotRetryMs: number;
  /** Retries before waiting for the next restart(). */
  maxSnapshotRetries: number;
  /** After each load that was not stopped: null when it succeeded, else its error. */
  settled(error: Error | null): void;
}

interface SnapshotLoader {
  /** Loads now; while a load runs, asks it for one more round instead. */
  load(): Promise<void>;
  /** Loads with a fresh retry budget: the channel (re)joined. */
  restart(): Promise<void>;
  /** A message carried this segment key: the load under way keeps it when pruning. */
  touch(key: string): void;
  readonly loading: boolean;
  /** Stops: the retry timer is cleared and a load under way ends without touching what is held. */
  stop(): void;
}

/** One round: the batch row, every page of every status asked for, then the prune. Returns false
 * when stopped part-way (then nothing is pruned). `touched` is filled by messages meanwhile. */
async function loadSnapshotOnce(
  deps: Pick<SnapshotDeps, "client" | "held" | "statuses" | "maxSnapshotPages">,
  touched: ReadonlySet<string>,
  stopped: () => boolean,
): Promise<boolean> {
  const { client, held } = deps;
  const row = await client.getBatch(held.batchId);
  if (stopped()) return false;
  held.takeSnapshot(row);
  // The row was read first: every page read after it is at least as new as message row.seq.
  const asOf = row.seq ?? 0;
  const seen = new Set<string>();
  for (const status of deps.statuses ?? [undefined]) {
    let after: number | string | undefined;
    for (let page = 0; page < deps.maxSnapshotPages; page++) {
      const rows = await client.getSegments(held.batchId, {
        ...(status ? { status } : {}),
        ...(after !== undefined ? { after } : {}),
        limit: MAX_SEGMENT_PAGE,
      });
      if (stopped()) return false;
      for (const seg of rows) {
        seen.add(segmentKey(seg.word_id, seg.kind));
        held.segments.apply(seg, asOf);
      }
      if (rows.length < MAX_SEGMENT_PAGE) break;
      after = rows[rows.length - 1].id;
    }
  }
  // What the snapshot should have returned but did not has moved on (to a status not loaded) or
  // is gone, unless a message told us about it meanwhile.
  const loaded = deps.statuses ? new Set<SegmentStatus>(deps.statuses) : null;
  held.segments.prune((seg) => {
    const key = segmentKey(seg.word_id, seg.kind);
    return seen.has(key) || touched.has(key) || (loaded !== null && !loaded.has(seg.status));
  });
  return true;
}

/** The retry budget of failed loads: at most maxSnapshotRetries, snapshotRetryMs apart, none after
 * a 401 or 403. A success or a rejoin resets it. */
function createRetries(
  deps: Pick<SnapshotDeps, "timers" | "snapshotRetryMs" | "maxSnapshotRetries">,
  run: () => void,
) {
  let used = 0;
  let timer: unknown = null;
  return {
    /** A load failed with err: schedule the next try, if there is one left. */
    after(err: unknown): void {
      const fatal = err instanceof AudioQueueError && (err.status === 401 || err.status === 403);
      if (fatal || used >= deps.maxSnapshotRetries || timer !== null) return;
      used++;
      timer = deps.timers.setTimeout(() => {
        timer = null;
        run();
      }, deps.snapshotRetryMs);
    },
    reset(): void {
      used = 0;
    },
    stop(): void {
      if (timer !== null) deps.timers.clearTimeout(timer);
      timer = null;
    },
  };
}

export function createSnapshotLoader(deps: SnapshotDeps): SnapshotLoader {
  let running = false;
  let again = false;
  let stopped = false;
  /** Keys carried by messages during the current round; null between loads. */
  let touched: Set<string> | null = null;
  const isStopped = () => stopped;
  const retries = createRetries(deps, () => {
    if (!stopped) void load();
  });

  async function load(): Promise<void> {
    if (running) {
      again = true;
      return;
    }
    running = true;
    let error: Error | null = null;
    try {
      let rounds = 0;
      do {
        again = false;
        touched = new Set();
        if (!(await loadSnapshotOnce(deps, touched, isStopped))) return;
        rounds++;
      } while (again && rounds < MAX_SNAPSHOT_ROUNDS && !stopped);
      retries.reset();
    } catch (err) {
      if (stopped) return;
      error = toError(err);
      retries.after(err);
    } finally {
      touched = null;
      running = false;
    }
    if (!stopped) deps.settled(error);
  }

  return {
    load,
    restart() {
      retries.reset();
      return load();
    },
    touch(key) {
      touched?.add(key);
    },
    get loading() {
      return running;
    },
    stop() {
      stopped = true;
      retries.stop();
    },
  };
}
