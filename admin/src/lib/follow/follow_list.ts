// followBatchList: the batch history, live. The private topic `batches` carries a `batch` message
// for every new batch and every status change (audio.broadcast_batch); on every (re)join the list
// is read from admin-api, since messages sent while away are lost, and while not joined it is
// read every fallbackPollMs. Messages and reads merge by updated_at (batch_list.ts), so a read
// that started before a message never takes it back. Returns refresh() and stop().

import type { AudioQueueClient } from "../client.ts";
import { BATCH_HISTORY_LIMIT, FOLLOW_DEFAULTS } from "../config.ts";
import type { RealtimeHost } from "../supabase_like.ts";
import { realTimers, repeatWhile, type Timers } from "../timers.ts";
import type { Batch } from "../types.ts";
import { mergeList } from "./batch_list.ts";
import { asListRow } from "./payloads.ts";
import { authorizeRealtime, joinTopic } from "./topic_channel.ts";

/** The topic of the batch list (audio.broadcast_batch). */
export const BATCH_LIST_TOPIC = "batches";

export interface BatchListOptions {
  /** How many batches the list holds (default BATCH_HISTORY_LIMIT). */
  limit?: number;
  /** JWT for Realtime; default setAuth() with no argument (the client's session). */
  accessToken?: string;
  /** While not joined, read the list this often (ms; FOLLOW_DEFAULTS.fallbackPollMs). */
  fallbackPollMs?: number;
  /** A read of the list failed. */
  onError?: (err: unknown) => void;
  timers?: Timers;
}

export interface BatchListFollow {
  /** Reads the list again now. */
  refresh(): void;
  stop(): void;
}

export function followBatchList(
  client: Pick<AudioQueueClient, "listBatches">,
  supabase: RealtimeHost,
  onList: (batches: Batch[]) => void,
  opts: BatchListOptions = {},
): BatchListFollow {
  const limit = opts.limit ?? BATCH_HISTORY_LIMIT;
  const onError = opts.onError ?? (() => {});
  let list: Batch[] = [];
  let known = false;
  let joined = false;
  let stopped = false;
  let leave: (() => void) | null = null;

  function show(next: Batch[]): void {
    list = next;
    known = true;
    onList(list);
  }

  function read(): Promise<void> {
    return client.listBatches(limit).then((rows) => {
      if (!stopped) show(mergeList(list, rows as Batch[], limit));
    }).catch((err) => {
      if (!stopped) onError(err);
    });
  }

  const timers = opts.timers ?? realTimers;
  const poller = repeatWhile(
    timers,
    opts.fallbackPollMs ?? FOLLOW_DEFAULTS.fallbackPollMs,
    () => !joined,
    read,
  );

  void read();
  poller.sync();
  authorizeRealtime(supabase, opts.accessToken).catch(onError).then(() => {
    if (stopped) return;
    leave = joinTopic(supabase, BATCH_LIST_TOPIC, {
      message(event, payload) {
        if (stopped || event !== "batch") return;
        const row = asListRow(payload);
        if (!row) return;
        // Until the first read lands, held for it: a lone row is not the history.
        if (known) show(mergeList(list, [row], limit));
        else list = mergeList(list, [row], limit);
      },
      status(status) {
        if (stopped) return;
        joined = status === "SUBSCRIBED";
        // A drop is not an error to show: realtime-js rejoins, and the list is polled meanwhile.
        if (joined) void read();
        poller.sync();
      },
    }, timers);
  });

  return {
    refresh: () => void read(),
    stop() {
      stopped = true;
      poller.stop();
      leave?.();
    },
  };
}
