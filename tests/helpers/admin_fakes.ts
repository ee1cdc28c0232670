// Fakes for the admin module's unit tests (tests/unit/admin_*.test.ts): a hand-driven clock, a
// Realtime host whose channels the test sends Broadcast messages and statuses into, and a server
// holding batch and segment rows that answers getBatch (with the seq) / getSegments like
// admin-api. Not bundled.

import type { FollowClient } from "../../admin/src/lib/follow/follow_types.ts";
import type {
  BroadcastMessage,
  ChannelLike,
  ChannelOptions,
  RealtimeHost,
  SubscribeStatus,
} from "../../admin/src/lib/supabase_like.ts";
import type { Timers } from "../../admin/src/lib/timers.ts";
import type {
  Batch,
  Segment,
  SegmentKind,
  SegmentQuery,
  SegmentStatus,
} from "../../admin/src/lib/types.ts";

export const BATCH_ID = "0b8f5a52-6c1e-4d7a-9a5e-1f2a3b4c5d6e";

/** Timers that run only when the test advances the clock. */
export class FakeTimers implements Timers {
  #now = 1_000_000;
  #next = 1;
  #pending = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#pending.set(id, { at: this.#now + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number);
  }
  get pendingCount(): number {
    return this.#pending.size;
  }
  /** Moves the clock forward by ms, running every timer that falls due, in time order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      let due: [number, { at: number; fn: () => void }] | null = null;
      for (const entry of this.#pending) {
        if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) {
          due = entry;
        }
      }
      if (!due) break;
      this.#pending.delete(due[0]);
      this.#now = due[1].at;
      due[1].fn();
    }
    this.#now = end;
  }
}

type Handler = (m: BroadcastMessage) => void;

export class FakeChannel implements ChannelLike {
  handlers: { event: string; cb: Handler }[] = [];
  statusCb: ((status: `${SubscribeStatus}`, err?: Error) => void) | null = null;
  subscribed = 0;
  constructor(readonly name: string, readonly options: ChannelOptions) {}

  on(_type: "broadcast", filter: { event: string }, cb: Handler): ChannelLike {
    this.handlers.push({ event: filter.event, cb });
    return this;
  }
  subscribe(
    cb?: (status: `${SubscribeStatus}`, err?: Error) => void,
  ): ChannelLike {
    this.subscribed++;
    this.statusCb = cb ?? null;
    return this;
  }
  status(s: `${SubscribeStatus}`, err?: Error): void {
    this.statusCb?.(s, err);
  }
  /** Delivers one Broadcast message, as realtime-js would. */
  send(event: string, payload: Record<string, unknown>): void {
    for (const h of this.handlers) {
      if (h.event === "*" || h.event === event) h.cb({ type: "broadcast", event, payload });
    }
  }
  /** A progress message for the test batch: the batch's status and counters at this seq. */
  progress(seq: number, b: Partial<Batch> = {}): void {
    const row = makeBatch(b);
    this.send("progress", {
      batch_id: row.id,
      seq,
      status: row.status,
      total: row.total,
      done: row.done,
      failed: row.failed,
      cancelled: row.cancelled,
      skipped: row.skipped,
      in_flight: 0,
      updated_at: row.updated_at,
    });
  }
  /** A segments message for the test batch listing these segments' states. */
  segments(seq: number, segs: Segment[], more = false): void {
    this.send("segments", {
      batch_id: BATCH_ID,
      seq,
      more,
      changes: more ? [] : segs.map((s) => ({
        id: s.id,
        word_id: s.word_id,
        kind: s.kind,
        status: s.status,
        ...(s.storage_path ? { storage_path: s.storage_path } : {}),
        ...(s.last_error ? { error: s.last_error } : {}),
      })),
    });
  }
}

export class FakeRealtime implements RealtimeHost {
  channels: FakeChannel[] = [];
  removed: ChannelLike[] = [];
  authCalls: (string | null | undefined)[] = [];
  realtime = {
    setAuth: (token?: string | null): Promise<void> => {
      this.authCalls.push(token);
      return Promise.resolve();
    },
  };
  channel(name: string, options: ChannelOptions): ChannelLike {
    const ch = new FakeChannel(name, options);
    this.channels.push(ch);
    return ch;
  }
  removeChannel(channel: ChannelLike): Promise<unknown> {
    this.removed.push(channel);
    return Promise.resolve("ok");
  }
  get last(): FakeChannel {
    const ch = this.channels.at(-1);
    if (!ch) throw new Error("no channel was opened");
    return ch;
  }
}

/** The rows admin-api would read, with an optional gate that holds answers until released. */
export class FakeServer implements FollowClient {
  batch: Batch;
  /** The seq of the last message "sent", read with the batch row as admin-api does. */
  seq = 0;
  segments = new Map<number, Segment>();
  getBatchCalls = 0;
  getSegmentsCalls: SegmentQuery[] = [];
  /** Every read in order: "batch", or "segments <status or all> after <cursor or start>". */
  reads: string[] = [];
  /** The next getBatch throws this (once). */
  failNext: Error | null = null;
  /** While set, every read throws this. */
  down: Error | null = null;
  #gate: Promise<void> | null = null;
  #release: (() => void) | null = null;

  constructor(batch: Partial<Batch> = {}) {
    this.batch = makeBatch(batch);
  }
  /** Holds every answer until release() (to interleave events with a snapshot). */
  hold(): void {
    this.#gate = new Promise((r) => (this.#release = r));
  }
  release(): void {
    this.#release?.();
    this.#gate = null;
  }
  put(seg: Segment): void {
    this.segments.set(Number(seg.id), { ...seg });
  }
  async getBatch(): Promise<Batch> {
    this.getBatchCalls++;
    this.reads.push("batch");
    if (this.down) throw this.down;
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = null;
      throw e;
    }
    const copy = { ...this.batch, seq: this.seq };
    if (this.#gate) await this.#gate;
    return copy;
  }
  async getSegments(_id: string, q: SegmentQuery = {}): Promise<Segment[]> {
    this.getSegmentsCalls.push(q);
    this.reads.push(`segments ${q.status ?? "all"} after ${q.after ?? "start"}`);
    if (this.down) throw this.down;
    const after = q.after === undefined ? -Infinity : Number(q.after);
    const rows = [...this.segments.values()]
      .filter((s) => Number(s.id) > after && (!q.status || s.status === q.status))
      .sort((a, b) => Number(a.id) - Number(b.id))
      .slice(0, q.limit ?? 1000)
      .map((s) => ({ ...s }));
    if (this.#gate) await this.#gate;
    return rows;
  }
}

/** "2026-11-24 10:00:00.000000+00" plus n microseconds: Postgres's text, as Realtime sends it. */
export function ts(micros: number): string {
  const base = Date.UTC(2026, 10, 24, 10, 0, 0);
  const ms = base + Math.floor(micros / 1000);
  const d = new Date(ms);
  const frac = String((ms % 1000) * 1000 + (micros % 1000)).padStart(6, "0");
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${frac}+00`;
}

export function makeBatch(over: Partial<Batch> = {}): Batch {
  return {
    id: BATCH_ID,
    status: "running",
    total: 10,
    done: 0,
    failed: 0,
    cancelled: 0,
    skipped: 0,
    source: "admin",
    requested_by: null,
    grade: 3,
    kinds: ["word", "definition", "sentence"],
    created_at: ts(0),
    started_at: ts(1),
    finished_at: null,
    cancel_requested_at: null,
    updated_at: ts(1),
    ...over,
  };
}

/** Segment n of the batch: word "w-<n>" (a stable fake id), kind word. */
export function makeSegment(
  n: number,
  status: SegmentStatus,
  updatedMicros: number,
  kind: SegmentKind = "word",
): Segment {
  return {
    id: n,
    batch_id: BATCH_ID,
    word_id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    kind,
    text: `word ${n}`,
    status,
    attempts: status === "queued" ? 0 : 1,
    last_error: status === "failed" ? "provider said no" : null,
    storage_path: status === "done" ? `voice/model/mp3/${n}.mp3` : null,
    updated_at: ts(updatedMicros),
  };
}

/** Lets pending promise callbacks (snapshot steps) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
