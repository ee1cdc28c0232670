// The snapshot half of followBatch: the batch row, then the batch's segments page by page (keyset
// on id), merged into what is held; held segments the snapshot no longer returns are dropped,
// unless a live event carried them while it loaded. A load asked for while one runs becomes one
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
  /** A live event carried this segment key: the load under way keeps it when pruning. */
  touch(key: string): void;
  readonly loading: boolean;
  /** Stops: the retry timer is cleared and a load under way ends without touching what is held. */
  stop(): void;
}

/** One round: the batch row, every page of every status asked for, then the prune. Returns false
 * when stopped part-way (then nothing is pruned). `touched` is filled by live events meanwhile. */
async function loadSnapshotOnce(
  deps: Pick<SnapshotDeps, "client" | "held" | "statuses" | "maxSnapshotPages">,
  touched: ReadonlySet<string>,
  stopped: () => boolean,
): Promise<boolean> {
  const { client, held } = deps;
  const row = await client.getBatch(held.batchId);
  if (stopped()) return false;
  held.takeBatch(row);
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
        held.segments.apply(seg);
      }
      if (rows.length < MAX_SEGMENT_PAGE) break;
      after = rows[rows.length - 1].id;
    }
  }
  // What the snapshot should have returned but did not has moved on (to a status not loaded) or
  // is gone, unless a live event told us about it meanwhile.
  const loaded = deps.statuses ? new Set<SegmentStatus>(deps.statuses) : null;
  held.segments.prune((seg) => {
    const key = segmentKey(seg.word_id, seg.kind);
    return seen.has(key) || touched.has(key) || (loaded !== null && !loaded.has(seg.status));
  });
  return true;
}

export function createSnapshotLoader(deps: SnapshotDeps): SnapshotLoader {
  let running = false;
  let again = false;
  let stopped = false;
  let retries = 0;
  let retryTimer: unknown = null;
  /** Keys carried by live events during the current round; null between loads. */
  let touched: Set<string> | null = null;
  const isStopped = () => stopped;

  function scheduleRetry(err: unknown): void {
    const fatal = err instanceof AudioQueueError && (err.status === 401 || err.status === 403);
    if (fatal || retries >= deps.maxSnapshotRetries || retryTimer !== null) return;
    retries++;
    retryTimer = deps.timers.setTimeout(() => {
      retryTimer = null;
      if (!stopped) void load();
    }, deps.snapshotRetryMs);
  }

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
      retries = 0;
    } catch (err) {
      if (stopped) return;
      error = toError(err);
      scheduleRetry(err);
    } finally {
      touched = null;
      running = false;
    }
    if (!stopped) deps.settled(error);
  }

  return {
    load,
    restart() {
      retries = 0;
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
      if (retryTimer !== null) deps.timers.clearTimeout(retryTimer);
      retryTimer = null;
    },
  };
}
