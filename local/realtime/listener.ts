// LISTEN on the channel platform.sql's trigger notifies of each new realtime.messages row, in
// batches: notifications are collected for a short window after the first one arrives, then
// handed over together, so a burst of messages costs one read instead of one per message. Batches
// are handled one at a time, in arrival (commit) order.
import type postgres from "postgres";

export interface ListenerOptions {
  sql: postgres.Sql;
  channel: string;
  /** How long to collect after the first notification of a batch. */
  windowMs: number;
  /** The most notifications in one batch. */
  maxBatch: number;
  onBatch(payloads: string[]): Promise<void>;
  log(line: string): void;
}

export interface Listener {
  /** Notifications received and not yet handed over. */
  pending(): number;
  /** Stops listening; resolves after the batch in progress (if any) is done. */
  close(): Promise<void>;
}

// Batches handled per wake-up before yielding to the event loop (sockets, heartbeats) again.
const MAX_BATCHES_PER_WAKE = 4;

export async function startListener(opts: ListenerOptions): Promise<Listener> {
  const queue: string[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> | null = null;
  let closed = false;

  const schedule = (delayMs: number) => {
    if (closed || timer !== null || running !== null || queue.length === 0) return;
    timer = setTimeout(wake, delayMs);
  };

  const drain = async () => {
    for (let i = 0; i < MAX_BATCHES_PER_WAKE && queue.length > 0 && !closed; i++) {
      const batch = queue.splice(0, opts.maxBatch);
      try {
        await opts.onBatch(batch);
      } catch (err) {
        opts.log(
          `realtime: a batch of ${batch.length} changes failed: ${
            err instanceof Error ? err.message : err
          }`,
        );
      }
    }
  };

  function wake() {
    timer = null;
    running = drain().finally(() => {
      running = null;
      // Whatever arrived meanwhile is already a batch's worth of waiting: go again at once.
      schedule(0);
    });
  }

  const meta = await opts.sql.listen(opts.channel, (payload) => {
    if (closed) return;
    queue.push(payload);
    schedule(opts.windowMs);
  });

  return {
    pending: () => queue.length,
    async close() {
      if (closed) return;
      closed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await meta.unlisten();
      if (running) await running;
      queue.length = 0;
    },
  };
}
