// followBatch: live state of one batch from Realtime, made reliable by snapshots. After every
// (re)subscribe it loads the batch row and its segments, so changes made while disconnected are
// not lost; events older than what is held are ignored (see merge.ts); bursts are coalesced into
// at most one notification per interval; while Realtime is not joined, the snapshot is polled.
// Returns the unsubscribe function.

import type { AudioQueueClient } from "../client.ts";
import { MAX_SEGMENT_PAGE, requireUuid } from "../client.ts";
import { createCoalescer } from "./coalesce.ts";
import { AudioQueueError } from "../errors.ts";
import type { Connection, FollowOptions, FollowState } from "./follow_types.ts";
import { batchIsActive, batchProgress, mergeBatch } from "./merge.ts";
import { asBatch, asSegment } from "./rows.ts";
import { segmentKey, SegmentStore } from "./segment_store.ts";
import type { PostgresChangePayload, RealtimeHost, SubscribeStatus } from "../supabase_like.ts";
import { etaSeconds, ThroughputMeter } from "./throughput.ts";
import { realTimers } from "../timers.ts";
import type { Batch, SegmentStatus } from "../types.ts";

// 50 rows is what a screen shows of "generating now"; the count is always exact.
const DEFAULT_IN_FLIGHT_LIMIT = 50;
// 100 ms: ten renders a second at most, smooth to the eye, cheap for a 10,000-segment batch.
const DEFAULT_NOTIFY_MS = 100;
// Throughput and ETA move by the second; refreshing faster would only re-render.
const DEFAULT_TICK_MS = 1000;
// A failed snapshot is retried after 2 s, 5 times (10 s), then waits for the next rejoin.
const DEFAULT_SNAPSHOT_RETRY_MS = 2000;
const DEFAULT_SNAPSHOT_RETRIES = 5;
// 40 pages × 1000 = 40,000 segments per status: above the largest batch (10,000 words × 3).
const DEFAULT_SNAPSHOT_PAGES = 40;
// While Realtime is not joined (down, or a proxy blocks websockets), reload the snapshot this
// often: the page stays correct, only less live. Long enough not to load a big batch constantly.
const DEFAULT_FALLBACK_POLL_MS = 5000;
// If subscriptions keep flapping during a snapshot, at most this many back-to-back reloads.
const MAX_SNAPSHOT_ROUNDS = 3;
// While joined and the batch is active, read the batch row this often anyway: an event lost on
// the way (a server-side gap, a dropped notification) must not leave the page short of the end
// forever. One small row every 15 s costs nothing beside the event stream.
const DEFAULT_LIVE_CHECK_MS = 15_000;

let channelCounter = 0;

export type FollowClient = Pick<AudioQueueClient, "getBatch" | "getSegments">;

export function followBatch(
  client: FollowClient,
  supabase: RealtimeHost,
  batchId: string,
  onState: (state: FollowState) => void,
  opts: FollowOptions = {},
): () => void {
  requireUuid("batchId", batchId);
  const timers = opts.timers ?? realTimers;
  const inFlightLimit = opts.inFlightLimit ?? DEFAULT_IN_FLIGHT_LIMIT;
  const tickMs = opts.tickMs ?? DEFAULT_TICK_MS;
  const retryMs = opts.snapshotRetryMs ?? DEFAULT_SNAPSHOT_RETRY_MS;
  const pollMs = opts.fallbackPollMs ?? DEFAULT_FALLBACK_POLL_MS;
  const liveCheckMs = opts.liveCheckMs ?? DEFAULT_LIVE_CHECK_MS;
  const maxRetries = opts.maxSnapshotRetries ?? DEFAULT_SNAPSHOT_RETRIES;
  const maxPages = opts.maxSnapshotPages ?? DEFAULT_SNAPSHOT_PAGES;
  const statuses: (SegmentStatus | undefined)[] = opts.snapshotStatuses ??
    [undefined];

  const store = new SegmentStore();
  const meter = new ThroughputMeter();
  let batch: Batch | null = null;
  let connection: Connection = "connecting";
  let snapshotLoaded = false;
  let error: Error | null = null;
  let version = 0;
  let closed = false;
  let channel: ReturnType<RealtimeHost["channel"]> | null = null;
  let tickTimer: unknown = null;
  let retryTimer: unknown = null;
  let pollTimer: unknown = null;
  let checkTimer: unknown = null;
  let retries = 0;
  let snapshotRunning = false;
  let snapshotAgain = false;
  /** Keys changed by live events while a snapshot loads: the snapshot must not prune them. */
  let touched: Set<string> | null = null;

  function finished(b: Batch | null): number {
    return b ? b.done + b.failed : 0;
  }

  function buildState(): FollowState {
    const now = timers.now();
    // No sample before the batch row is known: 0 then the real count would read as a burst.
    if (batch) meter.record(now, finished(batch));
    const rate = meter.rate(now);
    const remaining = batch ? batch.total - batch.done - batch.failed - batch.cancelled : 0;
    return {
      batchId,
      batch,
      segments: store.byKey,
      total: batch?.total ?? 0,
      done: batch?.done ?? 0,
      failed: batch?.failed ?? 0,
      cancelled: batch?.cancelled ?? 0,
      skipped: batch?.skipped ?? 0,
      progress: batchProgress(batch),
      inFlight: store.withStatus("generating", inFlightLimit),
      inFlightCount: store.count("generating"),
      failures: store.withStatus("failed", inFlightLimit),
      isActive: batchIsActive(batch),
      throughput: batch ? rate : null,
      etaSeconds: batch ? etaSeconds(remaining, rate) : null,
      connection,
      snapshotLoaded,
      error,
      version: ++version,
    };
  }

  const coalescer = createCoalescer(
    () => {
      if (!closed) onState(buildState());
    },
    opts.notifyIntervalMs ?? DEFAULT_NOTIFY_MS,
    timers,
  );

  /** Keeps a 1 s tick running while the batch is active, for throughput and ETA. */
  function syncTick(): void {
    const want = !closed && batchIsActive(batch);
    if (want && tickTimer === null) {
      tickTimer = timers.setTimeout(() => {
        tickTimer = null;
        coalescer.request();
        syncTick();
      }, tickMs);
    } else if (!want && tickTimer !== null) {
      timers.clearTimeout(tickTimer);
      tickTimer = null;
    }
  }

  /** Keeps a snapshot poll running while the channel is not joined. */
  function syncPoll(): void {
    const want = !closed && connection !== "live";
    if (want && pollTimer === null) {
      pollTimer = timers.setTimeout(() => {
        pollTimer = null;
        if (closed || connection === "live") return;
        void snapshot();
        syncPoll();
      }, pollMs);
    } else if (!want && pollTimer !== null) {
      timers.clearTimeout(pollTimer);
      pollTimer = null;
    }
  }

  /** Keeps the live check running while joined and the batch is active. */
  function syncCheck(): void {
    const want = !closed && connection === "live" && batchIsActive(batch);
    if (want && checkTimer === null) {
      checkTimer = timers.setTimeout(() => {
        checkTimer = null;
        void liveCheck().finally(syncCheck);
      }, liveCheckMs);
    } else if (!want && checkTimer !== null) {
      timers.clearTimeout(checkTimer);
      checkTimer = null;
    }
  }

  async function liveCheck(): Promise<void> {
    if (closed || connection !== "live" || snapshotRunning) return;
    let row: Batch;
    try {
      row = await client.getBatch(batchId);
    } catch {
      return; // the next check, an event or a rejoin will do
    }
    if (closed) return;
    const wasActive = batchIsActive(batch);
    takeBatch(row);
    // It ended before this page heard of it (events lost, or still on their way in a burst):
    // reload the segments too, so none is left showing as generating.
    if (wasActive && !batchIsActive(batch)) void snapshot();
  }

  function takeBatch(row: Batch): void {
    if (row.id !== batchId) return;
    const next = mergeBatch(batch, row);
    if (next === batch) return;
    batch = next;
    syncTick();
    syncCheck();
    coalescer.request();
  }

  function onBatchEvent(p: PostgresChangePayload): void {
    if (closed || p.eventType === "DELETE") return;
    const row = asBatch(p.new);
    if (row) takeBatch(row);
  }

  function onSegmentEvent(p: PostgresChangePayload): void {
    if (closed) return;
    if (p.eventType === "DELETE") {
      if (
        p.old && "id" in p.old && store.removeId(p.old.id as number | string)
      ) {
        coalescer.request();
      }
      return;
    }
    const seg = asSegment(p.new);
    if (!seg || seg.batch_id !== batchId) return;
    touched?.add(segmentKey(seg.word_id, seg.kind));
    if (store.apply(seg)) coalescer.request();
  }

  async function loadOnce(): Promise<boolean> {
    touched = new Set();
    const row = await client.getBatch(batchId);
    if (closed) return false;
    takeBatch(row);
    const seen = new Set<string>();
    for (const status of statuses) {
      let after: number | string | undefined;
      for (let page = 0; page < maxPages; page++) {
        const rows = await client.getSegments(batchId, {
          ...(status ? { status } : {}),
          ...(after !== undefined ? { after } : {}),
          limit: MAX_SEGMENT_PAGE,
        });
        if (closed) return false;
        for (const seg of rows) {
          seen.add(segmentKey(seg.word_id, seg.kind));
          store.apply(seg);
        }
        if (rows.length < MAX_SEGMENT_PAGE) break;
        after = rows[rows.length - 1].id;
      }
    }
    // What the snapshot should have returned but did not has moved on (to a status not loaded)
    // or is gone, unless a live event told us about it meanwhile.
    const loaded = opts.snapshotStatuses ? new Set(opts.snapshotStatuses) : null;
    const changed = touched;
    store.prune((seg) => {
      const key = segmentKey(seg.word_id, seg.kind);
      return seen.has(key) || changed.has(key) ||
        (loaded !== null && !loaded.has(seg.status));
    });
    return true;
  }

  async function snapshot(): Promise<void> {
    if (snapshotRunning) {
      snapshotAgain = true;
      return;
    }
    snapshotRunning = true;
    try {
      let rounds = 0;
      do {
        snapshotAgain = false;
        if (!(await loadOnce())) return;
        rounds++;
      } while (snapshotAgain && rounds < MAX_SNAPSHOT_ROUNDS && !closed);
      snapshotLoaded = true;
      error = null;
      retries = 0;
    } catch (err) {
      if (closed) return;
      error = err instanceof Error ? err : new Error(String(err));
      const fatal = err instanceof AudioQueueError &&
        (err.status === 401 || err.status === 403);
      if (!fatal && retries < maxRetries && retryTimer === null) {
        retries++;
        retryTimer = timers.setTimeout(() => {
          retryTimer = null;
          if (!closed) void snapshot();
        }, retryMs);
      }
    } finally {
      touched = null;
      snapshotRunning = false;
    }
    if (!closed) {
      coalescer.request();
      coalescer.flushNow();
    }
  }

  function onStatus(status: `${SubscribeStatus}`, err?: Error): void {
    if (closed) return;
    if (status === "SUBSCRIBED") {
      connection = "live";
      snapshotLoaded = false;
      retries = 0;
      void snapshot();
    } else if (status === "CLOSED") {
      connection = "closed";
    } else {
      // CHANNEL_ERROR / TIMED_OUT: realtime-js rejoins by itself and reports SUBSCRIBED again.
      connection = "reconnecting";
      if (err) error = err;
    }
    syncPoll();
    syncCheck();
    coalescer.request();
  }

  function subscribe(): void {
    if (closed) return;
    const filterBatch = `id=eq.${batchId}`;
    const filterSegments = `batch_id=eq.${batchId}`;
    channel = supabase
      .channel(`audio-batch:${batchId}:${++channelCounter}`)
      .on("postgres_changes", {
        event: "*",
        schema: "public",
        table: "audio_batches",
        filter: filterBatch,
      }, onBatchEvent)
      .on("postgres_changes", {
        event: "*",
        schema: "public",
        table: "audio_segments",
        filter: filterSegments,
      }, onSegmentEvent)
      .subscribe(onStatus);
  }

  // Realtime must carry the admin's JWT before joining, or RLS hides every row.
  Promise.resolve()
    .then(() =>
      opts.accessToken !== undefined
        ? supabase.realtime.setAuth(opts.accessToken)
        : supabase.realtime.setAuth()
    )
    .catch((err) => {
      error = err instanceof Error ? err : new Error(String(err));
    })
    .then(subscribe);
  syncPoll();
  coalescer.request();

  return () => {
    if (closed) return;
    closed = true;
    coalescer.cancel();
    if (tickTimer !== null) timers.clearTimeout(tickTimer);
    if (retryTimer !== null) timers.clearTimeout(retryTimer);
    if (pollTimer !== null) timers.clearTimeout(pollTimer);
    if (checkTimer !== null) timers.clearTimeout(checkTimer);
    tickTimer =
      retryTimer =
      pollTimer =
      checkTimer =
        null;
    if (channel) void supabase.removeChannel(channel).catch(() => undefined);
    channel = null;
  };
}
