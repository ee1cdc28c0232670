// The live half of followBatch: the batch's private Broadcast topic `batch:<id>` (topic_channel.ts),
// its progress and segments messages admitted by the seq rule (held.ts) and merged into what is
// held. What a message cannot carry is asked of the follower: a snapshot when a message went
// missing or listed too many changes to carry them, the batch row when the status moved (for the
// times a progress message leaves out).

import type { RealtimeHost, SubscribeStatus } from "../supabase_like.ts";
import type { Timers } from "../timers.ts";
import type { HeldBatch } from "./held.ts";
import { asProgress, asSegmentsMessage } from "./payloads.ts";
import { segmentKey } from "./segment_store.ts";
import { joinTopic } from "./topic_channel.ts";

export interface LiveHooks {
  /** A held segment changed: notify. (Batch row changes are reported by HeldBatch.) */
  changed(): void;
  /** A message carried this segment (by segmentKey): a snapshot loading now must not prune it. */
  touched(key: string): void;
  /** The channel's status as realtime-js reports it: SUBSCRIBED after every (re)join. */
  status(status: `${SubscribeStatus}`, err?: Error): void;
  /** A message went missing, or one said more segments changed than it lists: read them again. */
  reread(): void;
  /** A progress message moved the batch to another status: read the row (its times). */
  statusMoved(): void;
}

/** The topic a batch's messages go to (audio.broadcast_batch). */
export const batchTopic = (batchId: string) => `batch:${batchId}`;

/** Joins the batch's topic; returns close(), after which nothing is passed on. `timers` time the
 * rejoins after the server closed the channel (topic_channel.ts). */
export function openLiveBroadcasts(
  host: RealtimeHost,
  held: HeldBatch,
  hooks: LiveHooks,
  timers?: Timers,
): () => void {
  let closed = false;

  function onProgress(payload: Record<string, unknown>): void {
    const p = asProgress(payload);
    if (!p || p.batchId !== held.batchId) return;
    const admission = held.admit(p.seq);
    if (admission === "stale") return;
    const before = held.batch?.status;
    held.takeProgress(p);
    if (held.batch?.status !== before) hooks.statusMoved();
    if (admission === "gap") hooks.reread();
  }

  function onSegments(payload: Record<string, unknown>): void {
    const m = asSegmentsMessage(payload);
    if (!m || m.batchId !== held.batchId) return;
    const admission = held.admit(m.seq);
    if (admission === "stale") return;
    let changed = false;
    for (const c of m.changes) {
      hooks.touched(segmentKey(c.word_id, c.kind));
      if (held.segments.applyChange(held.batchId, c, m.seq)) changed = true;
    }
    if (changed) hooks.changed();
    if (m.more || admission === "gap") hooks.reread();
  }

  const leave = joinTopic(host, batchTopic(held.batchId), {
    message(event, payload) {
      if (closed) return;
      if (event === "progress") onProgress(payload);
      else if (event === "segments") onSegments(payload);
    },
    status(status, err) {
      if (closed) return;
      if (status === "SUBSCRIBED") held.rejoined();
      hooks.status(status, err);
    },
  }, timers);

  return () => {
    if (closed) return;
    closed = true;
    leave();
  };
}
