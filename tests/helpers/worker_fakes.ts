// Fakes for the worker's unit tests, so no test needs a database or a wall clock: a queue that
// records every call as one line and answers from a script, a clock whose sleeps end only when
// the test moves time on, a provider answering from a script, and claimed segments.
import { abortError, type SleepFn } from "../../supabase/functions/_shared/abort.ts";
import { createCartesiaClient } from "../../supabase/functions/_shared/provider/cartesia.ts";
import type { CartesiaClient } from "../../supabase/functions/_shared/provider/types.ts";
import type {
  AttemptOutcome,
  ClaimedSegment,
  HandOff,
  LimitHeard,
  LimitStatus,
  WorkerQueue,
} from "../../supabase/functions/_shared/worker/queue.ts";

// 64 hex characters: what a text hash looks like.
const HASH = "ab".repeat(32);

export function segment(id: number, batchId = "batch-1", over: Partial<ClaimedSegment> = {}) {
  return {
    msgId: 100 + id,
    readCt: 1,
    segmentId: id,
    batchId,
    text: `text ${id}`,
    textHash: HASH,
    voiceId: "voice",
    modelId: "sonic-2",
    format: "wav-pcm_s16le-44100",
    ...over,
  } satisfies ClaimedSegment;
}

type Begin = { outcome: AttemptOutcome; slot: number | null };

// What each call answers; a test replaces the ones it cares about. A thrown error or rejected
// promise is a failed round trip.
export interface QueueScript {
  claim: (qty: number) => ClaimedSegment[] | Promise<ClaimedSegment[]>;
  beginAttempt: (seg: ClaimedSegment) => Begin | Promise<Begin>;
  endAttempt: (slot: number, segmentId: number, willUpload: boolean) => boolean;
  // By default endAttempt's answer, then beginAttempt's for the next segment.
  endAndBegin: (
    slot: number,
    segmentId: number,
    willUpload: boolean,
    next: ClaimedSegment,
  ) => HandOff | Promise<HandOff>;
  complete: (seg: ClaimedSegment) => boolean | Promise<boolean>;
  cancelledBatches: (ids: string[]) => string[] | Promise<string[]>;
  depth: () => { visible: number; total: number };
  heartbeat: () => void;
  fail: () => void;
  returnMessages: () => void;
  hold: () => void;
  openCircuit: () => boolean;
  closeCircuit: () => boolean;
  extendClaims: (msgIds: number[]) => number | Promise<number>;
  concurrencyLimited: (slot: number, segmentId: number) => LimitHeard;
  limitTick: () => LimitStatus;
}

export class FakeQueue implements WorkerQueue {
  roundTrips = 0;
  /** Every call, one line each, in the order made. */
  readonly calls: string[] = [];
  /** Messages claim() hands out by default, in order. */
  readonly messages: ClaimedSegment[] = [];
  readonly script: QueueScript;

  constructor(script: Partial<QueueScript> = {}) {
    this.script = {
      claim: (qty) => this.messages.splice(0, qty),
      beginAttempt: () => ({ outcome: "go", slot: 1 }),
      endAttempt: () => true,
      endAndBegin: async (slot, segmentId, willUpload, next) => ({
        live: this.script.endAttempt(slot, segmentId, willUpload),
        ...(await this.script.beginAttempt(next)),
      }),
      complete: () => true,
      cancelledBatches: () => [],
      depth: () => ({ visible: this.messages.length, total: this.messages.length }),
      heartbeat: () => {},
      fail: () => {},
      returnMessages: () => {},
      hold: () => {},
      openCircuit: () => true,
      closeCircuit: () => true,
      extendClaims: (msgIds) => msgIds.length,
      // By default a concurrency 429 teaches nothing (as when it was alone in flight).
      concurrencyLimited: () => ({ waits: false, limit: 1, inFlight: 1 }),
      limitTick: () => ({
        limit: 3,
        ceiling: 3,
        inFlight: 0,
        limitedLastMinute: 0,
        pinned: false,
        changed: false,
      }),
      ...script,
    };
  }

  #call<T>(line: string, answer: () => T | Promise<T>): Promise<T> {
    this.roundTrips++;
    this.calls.push(line);
    try {
      return Promise.resolve(answer());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  claim(qty: number) {
    return this.#call(`claim ${qty}`, () => this.script.claim(qty));
  }
  beginAttempt(seg: ClaimedSegment) {
    return this.#call(`beginAttempt ${seg.segmentId}`, () => this.script.beginAttempt(seg));
  }
  endAttempt(slot: number, segmentId: number, willUpload: boolean) {
    return this.#call(
      `endAttempt slot=${slot} ${segmentId} upload=${willUpload}`,
      () => this.script.endAttempt(slot, segmentId, willUpload),
    );
  }
  endAndBegin(slot: number, segmentId: number, willUpload: boolean, next: ClaimedSegment) {
    return this.#call(
      `endAndBegin slot=${slot} ${segmentId} upload=${willUpload} next=${next.segmentId}`,
      () => this.script.endAndBegin(slot, segmentId, willUpload, next),
    );
  }
  complete(
    seg: ClaimedSegment,
    path: string,
    bytes: number,
    providerMs: number | null,
    rateLimited: number,
  ) {
    return this.#call(
      `complete ${seg.segmentId} ${path} bytes=${bytes} ms=${providerMs} 429s=${rateLimited}`,
      () => this.script.complete(seg),
    );
  }
  fail(seg: ClaimedSegment, error: string, rateLimited = 0) {
    return this.#call(
      `fail ${seg.segmentId} "${error}" 429s=${rateLimited}`,
      () => this.script.fail(),
    );
  }
  returnMessages(msgIds: number[], delayS = 0, error?: string) {
    const because = error === undefined ? "" : ` error="${error}"`;
    return this.#call(
      `returnMessages ${msgIds.join(",")} delay=${delayS}${because}`,
      () => this.script.returnMessages(),
    );
  }
  hold(msgIds: number[]) {
    return this.#call(`hold ${msgIds.join(",")}`, () => this.script.hold());
  }
  openCircuit(reason: string, _providerError: string, probeAfterS: number) {
    return this.#call(
      `openCircuit "${reason}" probe=${probeAfterS}s`,
      () => this.script.openCircuit(),
    );
  }
  closeCircuit(by: string) {
    return this.#call(`closeCircuit ${by}`, () => this.script.closeCircuit());
  }
  extendClaims(msgIds: number[]) {
    return this.#call(`extendClaims ${msgIds.join(",")}`, () => this.script.extendClaims(msgIds));
  }
  cancelledBatches(ids: string[]) {
    return this.#call(`cancelledBatches ${ids.join(",")}`, () => this.script.cancelledBatches(ids));
  }
  heartbeat() {
    return this.#call("heartbeat", () => this.script.heartbeat());
  }
  concurrencyLimited(slot: number, segmentId: number) {
    return this.#call(
      `concurrencyLimited slot=${slot} ${segmentId}`,
      () => this.script.concurrencyLimited(slot, segmentId),
    );
  }
  limitTick() {
    return this.#call("limitTick", () => this.script.limitTick());
  }
  leave() {
    return this.#call("leave", () => {});
  }
  depth() {
    return this.#call("depth", () => this.script.depth());
  }
}

/** Lets every promise chain that can move without time or I/O run to its end. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 0));
}

/** A clock that stands still until advance(); sleep(ms) ends when the clock has moved ms on (or
 * rejects with an AbortError when its signal aborts), and every sleep asked for is recorded. */
export class FakeClock {
  t = 0;
  readonly slept: number[] = [];
  #timers: { at: number; fire: () => void }[] = [];

  now = (): number => this.t;

  sleep: SleepFn = (ms, signal) => {
    this.slept.push(ms);
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const timer = {
        at: this.t + ms,
        fire: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#timers = this.#timers.filter((x) => x !== timer);
        reject(abortError(signal));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#timers.push(timer);
    });
  };

  /** Sleeps still waiting. */
  get sleeping(): number {
    return this.#timers.length;
  }

  /** Moves time on by ms, firing each sleep that ends on the way (earliest first) and letting
   * what it wakes run before the next. */
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    await settle();
    while (true) {
      const due = this.#timers.filter((x) => x.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((x) => x !== due);
      this.t = due.at;
      due.fire();
      await settle();
    }
    this.t = until;
    await settle();
  }
}

/** The smallest body the client accepts as wav audio: a RIFF/WAVE header. */
export const WAV = new Uint8Array([
  ...new TextEncoder().encode("RIFF"),
  36,
  0,
  0,
  0,
  ...new TextEncoder().encode("WAVE"),
]);

/** One provider answer: a status (200 brings WAV), "hang" until the request is aborted, or an
 * error answer with its own body and headers. */
export type ProviderAnswer = number | "hang" | {
  status: number;
  body: string;
  headers?: Record<string, string>;
};

/** The real Cartesia client over a fetch that answers from `answers` in turn (the last one
 * repeats); backoff sleeps end at once. `requests` counts what was sent. */
export function scriptedProvider(answers: ProviderAnswer[]): {
  provider: () => CartesiaClient;
  requests: () => number;
} {
  let sent = 0;
  const fetch = (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const answer = answers[Math.min(sent, answers.length - 1)];
    sent++;
    if (answer === "hang") {
      return new Promise((_, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true });
      });
    }
    if (answer === 200) {
      return Promise.resolve(
        new Response(WAV, { status: 200, headers: { "content-type": "audio/wav" } }),
      );
    }
    if (typeof answer === "object") {
      return Promise.resolve(
        new Response(answer.body, { status: answer.status, headers: answer.headers }),
      );
    }
    const body = JSON.stringify({ title: `status ${answer}`, message: "scripted" });
    return Promise.resolve(new Response(body, { status: answer }));
  };
  const client = createCartesiaClient({
    baseUrl: "http://provider.test",
    apiKey: "test-key",
    version: "2025-04-16",
    modelId: "sonic-2",
    outputFormat: { container: "wav", encoding: "pcm_s16le", sampleRate: 44100 },
    language: "en",
    timeoutMs: 60_000,
    maxRetries: 2,
    fetch,
    sleep: () => Promise.resolve(),
    random: () => 0.5,
  });
  return { provider: () => client, requests: () => sent };
}
