// What followBatch reads from, what it reports to its listener, and the knobs it takes (their
// defaults, with the reasons, are FOLLOW_DEFAULTS in ../config.ts).

import type { AudioQueueClient } from "../client.ts";
import type { Timers } from "../timers.ts";
import type { Batch, Segment, SegmentStatus } from "../types.ts";

/** The two admin-api reads a follow makes: the batch row (with the seq of the last message sent)
 * and pages of its segments. */
export type FollowClient = Pick<AudioQueueClient, "getBatch" | "getSegments">;

/** connecting: not joined yet (the snapshot is polled meanwhile); live: subscribed and snapshot
 * loaded or loading; reconnecting: the channel dropped, or the server closed it, and is being
 * joined again (a snapshot follows when it is back). */
export type Connection = "connecting" | "live" | "reconnecting";

export interface FollowState {
  batchId: string;
  /** The batch row; null until the first snapshot or message. */
  batch: Batch | null;
  /** Segments by "<wordId>:<kind>" (segmentKey). The same Map instance across notifications,
   * updated in place: read it during render, do not keep it. */
  segments: ReadonlyMap<string, Segment>;
  /** Counters from the batch row (not from counting segments). */
  total: number;
  done: number;
  failed: number;
  cancelled: number;
  skipped: number;
  /** (done + failed + cancelled) / total, 0..1. */
  progress: number;
  /** Segments generating right now, oldest first, at most inFlightLimit. */
  inFlight: Segment[];
  /** How many segments are generating (the list above may be capped). */
  inFlightCount: number;
  /** Failed segments with their last_error, oldest first, at most inFlightLimit. */
  failures: Segment[];
  /** The batch is queued, running or cancelling. */
  isActive: boolean;
  /** Finished (done + failed) segments per second over the last ~10 s; null until known. */
  throughput: number | null;
  /** Seconds until the batch finishes at that rate; null when unknown. */
  etaSeconds: number | null;
  connection: Connection;
  /** At least one snapshot has been merged since the last (re)subscribe. */
  snapshotLoaded: boolean;
  /** The last error loading a snapshot or subscribing; null once a snapshot succeeds. */
  error: Error | null;
  /** Increases with every notification (handy as a React key or memo dependency). */
  version: number;
}

/** Every option but accessToken, snapshotStatuses and timers has its default, and the reason for
 * it, in FOLLOW_DEFAULTS (../config.ts). */
export interface FollowOptions {
  /** JWT for Realtime (supabase.realtime.setAuth(token)); default setAuth() with no argument,
   * which takes the client's session or accessToken callback. */
  accessToken?: string;
  /** Segment statuses the snapshot loads; default all, which keeps `segments` complete. */
  snapshotStatuses?: SegmentStatus[];
  /** Cap of the in-flight and failures lists. */
  inFlightLimit?: number;
  /** Notify at most once per this many ms. */
  notifyIntervalMs?: number;
  /** While the batch is active, refresh throughput and ETA this often (ms). */
  tickMs?: number;
  /** While the channel is not joined, reload the snapshot this often (ms). */
  fallbackPollMs?: number;
  /** While joined and the batch is active, re-read the batch row this often (ms), in case a
   * message was lost; a batch found ended this way also reloads its segments. */
  liveCheckMs?: number;
  /** Wait before retrying a failed snapshot (ms). */
  snapshotRetryMs?: number;
  /** Retries of a failed snapshot before giving up until the next (re)subscribe. */
  maxSnapshotRetries?: number;
  /** Pages of segments (MAX_SEGMENT_PAGE each) one snapshot may load per status. */
  maxSnapshotPages?: number;
  /** At most one re-read of the segments per this many ms when messages cannot carry the changes
   * (a message listing none because too many changed, or a lost message). */
  rereadMs?: number;
  /** Clock and timers (default the real ones; tests pass a hand-driven clock). */
  timers?: Timers;
}
