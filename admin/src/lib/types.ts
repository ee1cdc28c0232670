// The shapes the audio-queue server speaks: start-batch, cancel-batch and admin-api bodies, and
// the audio_batches / audio_segments rows admin-api reads. Plain types, no runtime code.

export const SEGMENT_KINDS = ["word", "definition", "sentence"] as const;
export type SegmentKind = (typeof SEGMENT_KINDS)[number];

export type BatchStatus =
  | "queued"
  | "running"
  | "completed"
  | "completed_with_errors"
  | "cancelling"
  | "cancelled";

export type SegmentStatus =
  | "queued"
  | "generating"
  | "done"
  | "failed"
  | "cancelled";

/** A row of public.audio_batches as admin-api and Realtime send it. */
export interface Batch {
  id: string;
  status: BatchStatus;
  total: number;
  done: number;
  failed: number;
  cancelled: number;
  skipped: number;
  source: "admin" | "backfill";
  requested_by: string | null;
  grade: number | null;
  /** What the batch was started over (null for batches from before it was recorded). */
  scope?: "words" | "grade" | "all" | null;
  kinds: SegmentKind[];
  /** Characters of the text of the segments it generated (done, not reused): what the provider
   * bills. */
  characters?: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  cancel_requested_at: string | null;
  updated_at: string;
  /** The seq of the last Broadcast message sent on batch:<id> when this row was read (admin-api's
   * read of one batch; absent from list rows and messages). */
  seq?: number;
}

/** A row of public.audio_segments (Realtime sends more columns; these are the ones used).
 * id is a bigint: a number from Realtime, possibly a string from admin-api. */
export interface Segment {
  id: number | string;
  batch_id: string;
  word_id: string;
  kind: SegmentKind;
  text: string;
  status: SegmentStatus;
  attempts: number;
  last_error: string | null;
  storage_path: string | null;
  updated_at: string;
}

/** POST /start-batch: exactly one of wordIds or grade. */
/** The scope is exactly one of wordIds, grade, or all: true (every word of the catalog). */
export type StartBatchRequest =
  & (
    | { wordIds: string[]; grade?: never; all?: never }
    | { grade: number; wordIds?: never; all?: never }
    | { all: true; wordIds?: never; grade?: never }
  )
  & { kinds?: SegmentKind[]; missingOnly?: boolean };

export interface StartBatchResult {
  /** null when there was nothing to do (then message says why). */
  batchId: string | null;
  total: number;
  queued: number;
  skipped: number;
  pending: number;
  kicked: boolean;
  message?: string;
}

/** start-batch's dry run (estimateBatch): what a start of the same request would queue, and
 * what generating it would take. Nothing is written. */
export interface BatchEstimate {
  dryRun: true;
  /** Segments the batch would hold; the same total, queued, skipped and pending a start answers. */
  total: number;
  /** Segments that would be generated. */
  queued: number;
  /** Segments that would take existing audio of identical content at once. */
  skipped: number;
  /** Segments another live batch already holds (left out). */
  pending: number;
  byKind: { kind: SegmentKind; total: number; skipped: number; queued: number }[];
  /** Provider requests: distinct texts among the queued segments. */
  requests: number;
  /** Characters of those requests; Cartesia bills one credit per character. */
  characters: number;
  /** At the server's AUDIO_PRICE_PER_1K_CHARS; null when no price is set. */
  cost: { amount: number; pricePer1kChars: number } | null;
  time: {
    /** requests × typicalRequestMs ÷ limit. */
    seconds: number;
    typicalRequestMs: number;
    /** "measured": the mean of the newest timedRequests requests; "default": none timed yet. */
    typicalFrom: "measured" | "default";
    timedRequests: number;
    /** The concurrency limit now (learned from the provider, or the configured ceiling). */
    limit: number;
  };
}

export interface CancelBatchResult {
  batchId: string;
  status: BatchStatus;
}

export interface RetryFailedResult {
  batchId: string;
  requeued: number;
}

/** The provider circuit (GET /admin-api/circuit): closed while work flows; open or half_open
 * (a probe due or in flight) when the provider refused the account, with the reason in plain
 * words, the provider's own error, and the times as Postgres text. */
export interface ProviderCircuit {
  state: "closed" | "open" | "half_open";
  reason: string | null;
  providerError: string | null;
  openedAt: string | null;
  nextProbeAt: string | null;
}

/** The learned concurrency limit (GET /admin-api/limit): the provider requests all workers may
 * have in flight now (lowered by the provider's concurrency 429s, probed back up after a quiet
 * period) against the configured ceiling, requests in flight now, and the concurrency 429s of
 * the last minute; times as Postgres text. */
export interface ConcurrencyLimit {
  limit: number;
  ceiling: number;
  pinned: boolean;
  inFlight: number;
  limitedLastMinute: number;
  limitedAt: string | null;
  changedAt: string | null;
}

/** POST /admin-api/circuit/resume: whether the circuit was open, and the circuit now. */
export interface ResumeResult {
  resumed: boolean;
  circuit: ProviderCircuit;
}

export interface Me {
  userId: string;
  isAdmin: boolean;
}

export interface GradeSummary {
  grade: number;
  words: number;
  segments: number;
  ready: number;
  missing: number;
  stale: number;
  pending: number;
  failed: number;
}

export type SegState =
  | "ready"
  | "missing"
  | "stale"
  | "queued"
  | "generating"
  | "failed";

export interface WordSegment {
  state: SegState;
  text: string;
  storagePath?: string;
  error?: string;
}

export interface WordRow {
  id: string;
  word: string;
  grade: number;
  segments: Record<SegmentKind, WordSegment>;
}

/** GET /admin-api/words query: one page of a grade's words, in word order. */
export interface WordQuery {
  grade: number;
  /** Words containing this text (any case); empty or absent for all. */
  q?: string;
  /** Words with at least one kind in this state. */
  state?: SegState;
  /** At most 200 (the server's cap). */
  limit?: number;
  /** The nextCursor of the page before. */
  after?: string;
}

/** GET /admin-api/words: the page, the cursor of the next one (null on the last), and how many
 * words match the query in all. */
export interface WordPage {
  words: WordRow[];
  nextCursor: string | null;
  total: number;
}

/** GET /admin-api/batches/<id>/segments query. */
export interface SegmentQuery {
  status?: SegmentStatus;
  /** Only segments with a larger id (keyset paging). */
  after?: number | string;
  /** At most 1000 (the server's cap). */
  limit?: number;
}

/** GET admin-api/health: audio.health(), the pipeline's state as the database sees it. */
export interface Health {
  checked_at: string;
  stalled_minutes: number;
  queue: {
    visible: number;
    total: number;
    oldest_visible_age_s: number | null;
    longest_wait_s: number | null;
  };
  workers: {
    alive: number;
    list: { holder: string; started_at: string; last_progress_at: string; alive: boolean }[];
  };
  kicks: {
    id: number;
    status_code: number | null;
    timed_out: boolean;
    error: string | null;
    at: string;
  }[];
  stalled_batches: {
    id: string;
    status: string;
    total: number;
    done: number;
    failed: number;
    last_progress_at: string;
    minutes: number;
  }[];
  /** One plain sentence per problem found; empty when all is well. */
  problems: string[];
}
