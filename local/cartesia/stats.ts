// The stand-in's counters: requests by status, requests in flight (now and at most, overall and
// per key), requests at the stand-in at once (refused ones included), 200s per transcript+voice,
// 429s, and a log of recent requests with their start and end on the stand-in's own clock.

/** Enough requests for a 30,000-segment batch several times over, small enough to keep in RAM
 * (about 100 bytes each). */
export const MAX_REQUEST_LOG = 100_000;

/** One request as the stand-in saw it, on its own clock (ms since epoch). */
export interface RequestRecord {
  /** The API key, or null when the request was refused before its key was read. */
  key: string | null;
  /** okKey(voice, transcript) of a request whose body was valid, else null. */
  text: string | null;
  start: number;
  /** null while the request is still being answered. */
  end: number | null;
  /** The HTTP status answered (499 when the client went away first); null while in progress. */
  status: number | null;
}

export interface StandinStats {
  /** Every POST /tts/bytes, whatever its answer. */
  totalRequests: number;
  /** Answers by HTTP status, e.g. { "200": 12, "429": 3 }. */
  byStatus: Record<string, number>;
  /** Requests the client abandoned (or close() cut) before an answer was sent. */
  abandoned: number;
  /** Requests past the concurrency check, being answered now (what the plan limit counts). */
  inFlight: number;
  maxInFlight: number;
  inFlightByKey: Record<string, number>;
  maxInFlightByKey: Record<string, number>;
  /** Requests at the stand-in at once, refused ones included: how many a client really sent
   * in parallel, whatever the plan let through. Per key, from the moment the key is known. */
  maxAtOnce: number;
  maxAtOnceByKey: Record<string, number>;
  /** 200 answers per okKey(voiceId, transcript): a count above 1 means text generated twice. */
  okByTranscript: Record<string, number>;
  /** 429 answers, from the concurrency limit and from injected faults. */
  rateLimited: number;
  /** The last MAX_REQUEST_LOG requests, oldest first. */
  requests: RequestRecord[];
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
  #log: RequestRecord[] = [];
  #atOnce = 0;
  #maxAtOnce = 0;
  #atOnceByKey = new Map<string, number>();
  #maxAtOnceByKey = new Map<string, number>();

  /** A request arrived; the record is finished by `ended` (and `keyed` once its key is read). */
  requestStarted(at: number): RequestRecord {
    this.#total++;
    this.#atOnce++;
    this.#maxAtOnce = Math.max(this.#maxAtOnce, this.#atOnce);
    const record: RequestRecord = { key: null, text: null, start: at, end: null, status: null };
    this.#log.push(record);
    // Trim in batches so each request stays O(1) on average.
    if (this.#log.length > 2 * MAX_REQUEST_LOG) this.#log = this.#log.slice(-MAX_REQUEST_LOG);
    return record;
  }

  /** The request's API key is known (and valid): it counts toward that key's at-once figure. */
  keyed(record: RequestRecord, key: string): void {
    record.key = key;
    const n = (this.#atOnceByKey.get(key) ?? 0) + 1;
    this.#atOnceByKey.set(key, n);
    this.#maxAtOnceByKey.set(key, Math.max(this.#maxAtOnceByKey.get(key) ?? 0, n));
  }

  /** The request is over: answered with `status` (499 when its client left) at `at`. */
  ended(record: RequestRecord, status: number, at: number): void {
    record.end = at;
    record.status = status;
    this.#atOnce--;
    if (record.key !== null) {
      this.#atOnceByKey.set(record.key, (this.#atOnceByKey.get(record.key) ?? 1) - 1);
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
    this.#maxAtOnce = this.#atOnce;
    this.#maxAtOnceByKey = new Map(this.#atOnceByKey);
    this.#ok.clear();
    this.#rateLimited = 0;
    this.#log = [];
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
      maxAtOnce: this.#maxAtOnce,
      maxAtOnceByKey: record(this.#maxAtOnceByKey),
      okByTranscript: record(this.#ok),
      rateLimited: this.#rateLimited,
      requests: this.#log.slice(-MAX_REQUEST_LOG).map((r) => ({ ...r })),
    };
  }
}
