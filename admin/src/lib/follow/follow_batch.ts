// followBatch: the live state of one batch, from the database's Broadcast messages made reliable
// by snapshots and their seq. It wires named pieces together, each in its own module:
//   held.ts            the batch row, its segments and the seq rule; nothing older replaces newer
//   live_broadcasts.ts the private topic batch:<id>, its messages merged into what is held
//   topic_channel.ts   one Realtime channel per topic, shared by every follower of it
//   snapshot.ts        the batch row and segments read from admin-api after every (re)join
//   reconnect.ts       subscribe status → connection; a snapshot per join, polled while not joined
//   live_check.ts      the batch row re-read now and then while joined and the batch is active
//   view.ts            the FollowState the listener gets, coalesced to one per notifyIntervalMs
// Returns the unsubscribe function.

import { requireUuid } from "../client.ts";
import { FOLLOW_DEFAULTS } from "../config.ts";
import { toError } from "../errors.ts";
import type { RealtimeHost } from "../supabase_like.ts";
import { realTimers, repeatWhile } from "../timers.ts";
import type { FollowClient, FollowOptions, FollowState } from "./follow_types.ts";
import { HeldBatch } from "./held.ts";
import { createCoalescer } from "./coalesce.ts";
import { openLiveBroadcasts } from "./live_broadcasts.ts";
import { createLiveCheck } from "./live_check.ts";
import { batchIsActive } from "./merge.ts";
import { createReconnect } from "./reconnect.ts";
import { authorizeRealtime } from "./topic_channel.ts";
import { createSnapshotLoader } from "./snapshot.ts";
import { createReporter } from "./view.ts";

type Settings = Omit<Required<FollowOptions>, "accessToken" | "snapshotStatuses">;

/** The options with every default filled in (an option set to undefined takes the default). */
function settingsOf(opts: FollowOptions): Settings {
  const d = FOLLOW_DEFAULTS;
  return {
    inFlightLimit: opts.inFlightLimit ?? d.inFlightLimit,
    notifyIntervalMs: opts.notifyIntervalMs ?? d.notifyIntervalMs,
    tickMs: opts.tickMs ?? d.tickMs,
    fallbackPollMs: opts.fallbackPollMs ?? d.fallbackPollMs,
    liveCheckMs: opts.liveCheckMs ?? d.liveCheckMs,
    snapshotRetryMs: opts.snapshotRetryMs ?? d.snapshotRetryMs,
    maxSnapshotRetries: opts.maxSnapshotRetries ?? d.maxSnapshotRetries,
    maxSnapshotPages: opts.maxSnapshotPages ?? d.maxSnapshotPages,
    rereadMs: opts.rereadMs ?? d.rereadMs,
    timers: opts.timers ?? realTimers,
  };
}

export function followBatch(
  client: FollowClient,
  supabase: RealtimeHost,
  batchId: string,
  onState: (state: FollowState) => void,
  opts: FollowOptions = {},
): () => void {
  requireUuid("batchId", batchId);
  const s = settingsOf(opts);
  const held = new HeldBatch(batchId, () => {
    ticker.sync();
    check.sync();
    report.changed();
  });
  const report = createReporter({ ...s, held, onState, connection: () => link.connection });
  // While the batch is active, report it every tick anyway: throughput and ETA move with time.
  const ticker = repeatWhile(s.timers, s.tickMs, () => batchIsActive(held.batch), report.changed);
  const snapshots = createSnapshotLoader({
    ...s,
    client,
    held,
    statuses: opts.snapshotStatuses,
    settled: report.snapshotSettled,
  });
  const link = createReconnect({
    ...s,
    joined() {
      report.joined();
      void snapshots.restart();
    },
    poll: () => void snapshots.load(),
    changed(_connection, err) {
      if (err) report.failed(err);
      check.sync();
      report.changed();
    },
  });
  const check = createLiveCheck({
    ...s,
    client,
    held,
    joined: () => link.connection === "live",
    loading: () => snapshots.loading,
    ended: () => void snapshots.load(),
  });
  // Re-reads asked for by messages (a lost one, or one listing none of too many changes), at most
  // one per rereadMs; the last one always happens.
  const reread = createCoalescer(() => void snapshots.load(), s.rereadMs, s.timers);

  let closed = false;
  let closeLive: (() => void) | null = null;
  authorizeRealtime(supabase, opts.accessToken)
    .catch((err) => report.failed(toError(err)))
    .then(() => {
      if (closed) return;
      closeLive = openLiveBroadcasts(supabase, held, {
        changed: report.changed,
        touched: snapshots.touch,
        status: link.onStatus,
        reread: reread.request,
        statusMoved: check.readNow,
      }, s.timers);
    });
  report.changed();

  return () => {
    if (closed) return;
    closed = true;
    for (const piece of [report, ticker, snapshots, link, check]) piece.stop();
    reread.cancel();
    closeLive?.();
  };
}
