// The live half of followBatch: one Realtime channel with two postgres_changes bindings (the batch
// row, the batch's segments), each event merged into what is held, where an older version is
// ignored. The follower sees only openLiveChanges and LiveHooks, so moving to another transport
// (Broadcast messages with a sequence number) replaces this file, not the follower.

import type { PostgresChangePayload, RealtimeHost, SubscribeStatus } from "../supabase_like.ts";
import type { HeldBatch } from "./held.ts";
import { asBatch, asSegment } from "./rows.ts";
import { segmentKey } from "./segment_store.ts";

export interface LiveHooks {
  /** A held segment changed or went: notify. (Batch row changes are reported by HeldBatch.) */
  changed(): void;
  /** An event carried this segment (by segmentKey): a snapshot loading now must not prune it. */
  touched(key: string): void;
  /** The channel's status as realtime-js reports it: SUBSCRIBED after every (re)join. */
  status(status: `${SubscribeStatus}`, err?: Error): void;
}

// Each follow gets its own channel name: realtime-js hands back an existing channel of the same
// name, and a second follow of one batch (another component, a quick remount) must not share it.
let channelCounter = 0;

/** Opens the channel and subscribes; returns close(), after which no event or status is passed on
 * and the channel is removed. */
export function openLiveChanges(
  host: RealtimeHost,
  held: HeldBatch,
  hooks: LiveHooks,
): () => void {
  const batchId = held.batchId;
  let closed = false;

  function onBatchEvent(p: PostgresChangePayload): void {
    if (closed || p.eventType === "DELETE") return;
    const row = asBatch(p.new);
    if (row) held.takeBatch(row);
  }

  function onSegmentEvent(p: PostgresChangePayload): void {
    if (closed) return;
    if (p.eventType === "DELETE") {
      const id = p.old && "id" in p.old ? p.old.id as number | string : undefined;
      if (id !== undefined && held.segments.removeId(id)) hooks.changed();
      return;
    }
    const seg = asSegment(p.new);
    if (!seg || seg.batch_id !== batchId) return;
    hooks.touched(segmentKey(seg.word_id, seg.kind));
    if (held.segments.apply(seg)) hooks.changed();
  }

  const channel = host
    .channel(`audio-batch:${batchId}:${++channelCounter}`)
    .on("postgres_changes", {
      event: "*",
      schema: "public",
      table: "audio_batches",
      filter: `id=eq.${batchId}`,
    }, onBatchEvent)
    .on("postgres_changes", {
      event: "*",
      schema: "public",
      table: "audio_segments",
      filter: `batch_id=eq.${batchId}`,
    }, onSegmentEvent)
    .subscribe((status, err) => {
      if (!closed) hooks.status(status, err);
    });

  return () => {
    if (closed) return;
    closed = true;
    void host.removeChannel(channel).catch(() => undefined);
  };
}
