// The stand-in's counters: requests by status, requests in flight (now and at most, overall and
// per key), 200s per transcript+voice, 429s, and the start times of recent requests.

/** Enough start times for a 300-segment batch many times over, small enough to keep in RAM. */
export const MAX_REQUEST_STARTS = 100_000;

export interface StandinStats {
  /** Every POST /tts/bytes, whatever its answer. */
  totalRequests: number;
  /** Answers by HTTP status, e.g. { "200": 12, "429": 3 }. */
  byStatus: Record<string, number>;
  /** Requests the client abandoned (or close() cut) before an answer was sent. */
  abandoned: number;
  inFlight: number;
  maxInFlight: number;
  inFlightByKey: Record<string, number>;
  maxInFlightByKey: Record<string, number>;
  /** 200 answers per okKey(voiceId, transcript): a count above 1 means text generated twice. */
  okByTranscript: Record<string, number>;
  /** 429 answers, from the concurrency limit and from injected faults. */
  rateLimited: number;
  /** Start time (ms since epoch) of each request, oldest first, the last MAX_REQUEST_STARTS. */
  requestStarts: number[];
}

/** The okByTranscript key of a voice and transcript. */
export function okKey(voiceId: string, transcript: string): string {
  return `${voiceId}|${transcript}`;
}

export class StatsTracker {
  #total = 0;
  #byStatus = new Map<number, number>();
  #abandoned = 0;
  #inFlight = 0;
  #maxInFlight = 0;
  #inFlightByKey = new Map<string, number>();
  #maxInFlightByKey = new Map<string, number>();
  #ok = new Map<string, number>();
  #rateLimited = 0;
  #starts: number[] = [];

  requestStarted(at: number): void {
    this.#total++;
    this.#starts.push(at);
    // Trim in batches so each request stays O(1) on average.
    if (this.#starts.length > 2 * MAX_REQUEST_STARTS) {
      this.#starts = this.#starts.slice(-MAX_REQUEST_STARTS);
    }
  }

  answered(status: number): void {
    this.#byStatus.set(status, (this.#byStatus.get(status) ?? 0) + 1);
    if (status === 429) this.#rateLimited++;
  }

  generated(voiceId: string, transcript: string): void {
    const key = okKey(voiceId, transcript);
    this.#ok.set(key, (this.#ok.get(key) ?? 0) + 1);
  }

  abandonedOne(): void {
    this.#abandoned++;
  }

  inFlightFor(key: string): number {
    return this.#inFlightByKey.get(key) ?? 0;
  }

  acquire(key: string): void {
    this.#inFlight++;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
    const n = this.inFlightFor(key) + 1;
    this.#inFlightByKey.set(key, n);
    this.#maxInFlightByKey.set(key, Math.max(this.#maxInFlightByKey.get(key) ?? 0, n));
  }

  release(key: string): void {
    this.#inFlight--;
    this.#inFlightByKey.set(key, this.inFlightFor(key) - 1);
  }

  /** Clears the counters; requests in flight stay counted, and become the new maxima. */
  reset(): void {
    this.#total = 0;
    this.#byStatus.clear();
    this.#abandoned = 0;
    this.#maxInFlight = this.#inFlight;
    this.#maxInFlightByKey = new Map(this.#inFlightByKey);
    this.#ok.clear();
    this.#rateLimited = 0;
    this.#starts = [];
  }

  snapshot(): StandinStats {
    const record = <K>(m: Map<K, number>) =>
      Object.fromEntries([...m].map(([k, v]) => [String(k), v]));
    return {
      totalRequests: this.#total,
      byStatus: record(this.#byStatus),
      abandoned: this.#abandoned,
      inFlight: this.#inFlight,
      maxInFlight: this.#maxInFlight,
      inFlightByKey: record(this.#inFlightByKey),
      maxInFlightByKey: record(this.#maxInFlightByKey),
      okByTranscript: record(this.#ok),
      rateLimited: this.#rateLimited,
      requestStarts: this.#starts.slice(-MAX_REQUEST_STARTS),
    };
  }
}
