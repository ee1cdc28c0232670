// The worker's database calls, one per audio.* function, each a single round trip. Counts round
// trips so the benchmark can report them per segment. The worker's pieces depend on the
// WorkerQueue interface only, so unit tests hand them a fake.
import type { Sql } from "../db.ts";
import { oneTrip } from "../sql_literal.ts";

export interface ClaimedSegment {
  msgId: number;
  readCt: number;
  segmentId: number;
  batchId: string;
  text: string;
  textHash: string;
  voiceId: string;
  modelId: string;
  format: string;
  // The probe of an open provider circuit: this segment's request tests the account.
  probe?: boolean;
}

export type AttemptOutcome =
  | "go"
  | "no_permit"
  | "reused"
  | "wait"
  | "cancelled"
  | "gone"
  | "circuit_open";

// audio.concurrency_limited's answer: waits = the attempt was taken back, ask for another permit.
export interface LimitHeard {
  waits: boolean;
  limit: number;
  inFlight: number;
}

// audio.limit_tick's answer: the learned limit now, what the worker reports.
export interface LimitStatus {
  limit: number;
  ceiling: number;
  inFlight: number;
  limitedLastMinute: number;
  pinned: boolean;
  changed: boolean;
}

// What one hand-off answers: live is endAttempt's answer for the segment that finished, outcome
// and slot beginAttempt's for the next one.
export interface HandOff {
  live: boolean;
  outcome: AttemptOutcome;
  slot: number | null;
}

// What the worker asks of the queue; SegmentQueue answers it from Postgres.
export interface WorkerQueue {
  readonly roundTrips: number;
  claim(qty: number): Promise<ClaimedSegment[]>;
  beginAttempt(seg: ClaimedSegment): Promise<{ outcome: AttemptOutcome; slot: number | null }>;
  endAttempt(slot: number, segmentId: number, willUpload: boolean): Promise<boolean>;
  // The hand-off: endAttempt for this segment and beginAttempt for the next, in one round trip.
  endAndBegin(
    slot: number,
    segmentId: number,
    willUpload: boolean,
    next: ClaimedSegment,
  ): Promise<HandOff>;
  complete(
    seg: ClaimedSegment,
    storagePath: string,
    bytes: number,
    providerMs: number | null,
    rateLimited: number,
  ): Promise<boolean>;
  fail(seg: ClaimedSegment, error: string, rateLimited?: number): Promise<void>;
  // The learned concurrency limit (limit.ts): a concurrency 429 heard on a permit, and the
  // periodic read that probes it up.
  concurrencyLimited(slot: number, segmentId: number): Promise<LimitHeard>;
  limitTick(): Promise<LimitStatus>;
  // The provider circuit (circuit.ts): hand back held messages, open it, close it.
  hold(msgIds: number[]): Promise<void>;
  openCircuit(reason: string, providerError: string, probeAfterS: number): Promise<boolean>;
  closeCircuit(by: string): Promise<boolean>;
  // error: the unexpected error that ended this delivery (kept as the segment's last_error; the
  // delivery counts). Without it the hand-back was no fault of the segment and is excused.
  returnMessages(msgIds: number[], delayS?: number, error?: string): Promise<void>;
  // Keep held messages invisible for another visibility timeout; how many still exist.
  extendClaims(msgIds: number[]): Promise<number>;
  cancelledBatches(batchIds: string[]): Promise<string[]>;
  heartbeat(): Promise<void>;
  leave(): Promise<void>;
  depth(): Promise<{ visible: number; total: number }>;
}

interface QueueOptions {
  holder: string;
  limit: number;
  visibilityTimeoutS: number;
  leaseS: number;
  maxReads: number;
  // The learned limit's settings: AUDIO_LIMIT_PROBE_S and AUDIO_LIMIT_PINNED.
  limitProbeS: number;
  limitPinned: boolean;
}

export class SegmentQueue implements WorkerQueue {
  roundTrips = 0;
  // The calls made for every segment go in one round trip each (sql_literal.ts says why).
  readonly #one: ReturnType<typeof oneTrip>;
  constructor(private readonly sql: Sql, private readonly o: QueueOptions) {
    this.#one = oneTrip(sql);
  }

  async claim(qty: number): Promise<ClaimedSegment[]> {
    this.roundTrips++;
    const rows = await this.#one`
      select * from audio.claim_gated(${qty}::integer, ${this.o.visibilityTimeoutS}::integer, ${this.o.maxReads}::integer, ${this.o.holder}, ${this.o.leaseS}::integer)`;
    return rows.map((r) => ({
      msgId: Number(r.msg_id),
      readCt: Number(r.read_ct),
      segmentId: Number(r.segment_id),
      batchId: String(r.batch_id),
      text: String(r.text),
      textHash: String(r.text_hash),
      voiceId: String(r.voice_id),
      modelId: String(r.model_id),
      format: String(r.format),
      probe: r.probe === true,
    }));
  }

  async beginAttempt(
    seg: ClaimedSegment,
  ): Promise<{ outcome: AttemptOutcome; slot: number | null }> {
    this.roundTrips++;
    const [r] = await this.#one`
      select * from audio.begin_gated_attempt(${seg.segmentId}::bigint, ${seg.msgId}::bigint, ${this.o.holder},
        ${this.o.limit}::integer, ${this.o.leaseS}::integer, ${this.o.visibilityTimeoutS}::integer)`;
    return { outcome: r.outcome as AttemptOutcome, slot: r.slot === null ? null : Number(r.slot) };
  }

  // endAttempt: release the permit; willUpload (the attempt brought audio) also clears the
  // segment for upload when its batch is still live.
  async endAttempt(slot: number, segmentId: number, willUpload: boolean): Promise<boolean> {
    this.roundTrips++;
    const [r] = await this.#one`
      select audio.end_attempt(${slot}::integer, ${this.o.holder}, ${segmentId}::bigint, ${willUpload}) as live`;
    return r.live === true;
  }

  async endAndBegin(
    slot: number,
    segmentId: number,
    willUpload: boolean,
    next: ClaimedSegment,
  ): Promise<HandOff> {
    this.roundTrips++;
    const [r] = await this.#one`
      select * from audio.end_and_begin(${slot}::integer, ${this.o.holder}, ${segmentId}::bigint, ${willUpload},
        ${next.segmentId}::bigint, ${next.msgId}::bigint, ${this.o.limit}::integer, ${this.o.leaseS}::integer,
        ${this.o.visibilityTimeoutS}::integer)`;
    return {
      live: r.live === true,
      outcome: r.outcome as AttemptOutcome,
      slot: r.slot === null ? null : Number(r.slot),
    };
  }

  async complete(
    seg: ClaimedSegment,
    storagePath: string,
    bytes: number,
    providerMs: number | null,
    rateLimited: number,
  ): Promise<boolean> {
    this.roundTrips++;
    const [r] = await this.#one`
      select audio.complete_segment(${seg.segmentId}::bigint, ${seg.msgId}::bigint, ${storagePath}, ${bytes}::integer,
        false, ${providerMs}::integer, ${rateLimited}::integer) as ok`;
    return r.ok === true;
  }

  async fail(seg: ClaimedSegment, error: string, rateLimited = 0): Promise<void> {
    this.roundTrips++;
    await this
      .sql`select audio.fail_segment(${seg.segmentId}::bigint, ${seg.msgId}::bigint, ${error}, ${rateLimited}::integer)`;
  }

  async returnMessages(msgIds: number[], delayS = 0, error?: string): Promise<void> {
    if (msgIds.length === 0) return;
    this.roundTrips++;
    await this.sql`
      select audio.return_messages(${msgIds}::bigint[], ${delayS}::integer, ${
      error ?? null
    }::text)`;
  }

  async extendClaims(msgIds: number[]): Promise<number> {
    if (msgIds.length === 0) return 0;
    this.roundTrips++;
    const rows = await this.sql`
      select audio.extend_claims(${msgIds}::bigint[], ${this.o.visibilityTimeoutS}::integer) as id`;
    return rows.length;
  }

  async concurrencyLimited(slot: number, segmentId: number): Promise<LimitHeard> {
    this.roundTrips++;
    const [r] = await this.sql`
      select * from audio.concurrency_limited(${slot}::integer, ${this.o.holder}, ${segmentId}::bigint,
        ${this.o.limit}::integer, ${this.o.limitPinned})`;
    return { waits: r.waits === true, limit: Number(r.effective), inFlight: Number(r.in_flight) };
  }

  async limitTick(): Promise<LimitStatus> {
    this.roundTrips++;
    const [r] = await this.sql`
      select * from audio.limit_tick(${this.o.limit}::integer, ${this.o.limitProbeS}::integer, ${this.o.limitPinned})`;
    return {
      limit: Number(r.effective),
      ceiling: Number(r.ceiling),
      inFlight: Number(r.in_flight),
      limitedLastMinute: Number(r.limited_last_minute),
      pinned: r.pinned === true,
      changed: r.changed === true,
    };
  }

  async hold(msgIds: number[]): Promise<void> {
    if (msgIds.length === 0) return;
    this.roundTrips++;
    await this.sql`select audio.hold_for_circuit(${msgIds}::bigint[])`;
  }

  async openCircuit(reason: string, providerError: string, probeAfterS: number): Promise<boolean> {
    this.roundTrips++;
    const [r] = await this.sql`
      select audio.open_circuit(${reason}, ${providerError}, ${probeAfterS}::integer) as opened`;
    return r.opened === true;
  }

  async closeCircuit(by: string): Promise<boolean> {
    this.roundTrips++;
    const [r] = await this.sql`select audio.close_circuit(${by}) as closed`;
    return r.closed === true;
  }

  async cancelledBatches(batchIds: string[]): Promise<string[]> {
    if (batchIds.length === 0) return [];
    this.roundTrips++;
    const rows = await this
      .sql`select b as id from audio.cancelled_batches(${batchIds}::uuid[]) as b`;
    return rows.map((r) => String(r.id));
  }

  // heartbeat: this worker is alive (claims record it too; this is for a worker too busy to claim).
  async heartbeat(): Promise<void> {
    this.roundTrips++;
    await this.sql`select audio.worker_heartbeat(${this.o.holder})`;
  }

  // leave: this worker stops; kicks need not wait for its heartbeat to age out.
  async leave(): Promise<void> {
    this.roundTrips++;
    await this.sql`select audio.worker_stopped(${this.o.holder})`;
  }

  async depth(): Promise<{ visible: number; total: number }> {
    this.roundTrips++;
    const [r] = await this.sql`select * from audio.queue_depth()`;
    return { visible: Number(r.visible), total: Number(r.total) };
  }
}
