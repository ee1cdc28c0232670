// followBatch: the live state of one batch, from Realtime events made reliable by snapshots. It
// wires named pieces together, each in its own module:
//   held.ts          the batch row and its segments; an older version never replaces a newer one
//   live_changes.ts  the Realtime channel, its events merged into what is held
//   snapshot.ts      the batch row and segments read from admin-api after every (re)join
//   reconnect.ts     subscribe status → connection; a snapshot per join, polled while not joined
//   live_check.ts    the batch row re-read now and then while joined and the batch is active
//   view.ts          the FollowState the listener gets, coalesced to one per notifyIntervalMs
// Returns the unsubscribe function.

import { requireUuid } from "../client.ts";
import { FOLLOW_DEFAULTS } from "../config.ts";
import { toError } from "../errors.ts";
import type { RealtimeHost } from "../supabase_like.ts";
import { realTimers, repeatWhile } from "../timers.ts";
import type { FollowClient, FollowOptions, FollowState } from "./follow_types.ts";
import { HeldBatch } from "./held.ts";
import { createLiveCheck } from "./live_check.ts";
import { openLiveChanges } from "./live_changes.ts";
import { batchIsActive } from "./merge.ts";
import { createReconnect } from "./reconnect.ts";
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
    timers: opts.timers ?? realTimers,
  };
}

/** Realtime must carry the admin's JWT before joining, or RLS hides every row. Without a token,
 * setAuth() takes the client's session or accessToken callback. */
function authorize(host: RealtimeHost, token: string | undefined): Promise<void> {
  return Promise.resolve().then(() =>
    token !== undefined ? host.realtime.setAuth(token) : host.realtime.setAuth()
  );
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

  let closed = false;
  let closeLive: (() => void) | null = null;
  authorize(supabase, opts.accessToken)
    .catch((err) => report.failed(toError(err)))
    .then(() => {
      if (closed) return;
      const hooks = { changed: report.changed, touched: snapshots.touch, status: link.onStatus };
      closeLive = openLiveChanges(supabase, held, hooks);
    });
  report.changed();

  return () => {
    if (closed) return;
    closed = true;
    for (const piece of [report, ticker, snapshots, link, check]) piece.stop();
    closeLive?.();
  };
}
