// Every default and limit of audio-queue in one place, each with the reason for its number.
// settings.ts builds its schema from the setting ranges below (.env.example lists the same
// defaults); the worker, the provider client and the functions read their timings from here.
// Seven values are shared with the SQL side, which names them in functions of its own:
// MAX_CONCURRENCY (audio.max_concurrency()), WORKER_STALE_S (audio.worker_stale_s()),
// DEFAULT_MAX_READS (audio.default_max_reads()), KICK_TIMEOUT_MS (audio.kick_timeout_ms()),
// WORK_CHANNEL (audio.work_channel()), PERMIT_CHANNEL (audio.permit_channel()) and
// CANCEL_CHANNEL (audio.cancel_channel()). Change them together, in a new migration;
// tests/integration/limits_match_sql.test.ts fails while the two sides differ.
// Tuning that only one module sees (the backoff jitter, the protocol's message caps) stays in
// that module, with its reason.

// --- Shared with SQL ------------------------------------------------------------------------

/** Permit slots in audio.permits, so the most provider requests that can ever be in flight, and
 * the ceiling of AUDIO_GENERATION_CONCURRENCY. Cartesia's largest self-serve plan (Scale) allows
 * 15 concurrent requests; 20 leaves room above it without a table of idle rows. */
export const MAX_CONCURRENCY = 20;

/** A worker whose heartbeat is older than this counts as gone: the watchdog and start-batch then
 * kick a fresh one. Long enough that a busy worker (heartbeat every HEARTBEAT_MS) is never taken
 * for dead after one slow round trip, short enough that a lost worker is replaced within a cron
 * tick or two. */
export const WORKER_STALE_S = 30;

/** Deliveries of one message before its segment fails and the message is archived. Waiting (for
 * a permit, for identical text in flight) never spends a delivery, so only real failures
 * (crashes, Storage or database errors) count; five rides out a few of those. */
export const DEFAULT_MAX_READS = 5;

/** The NOTIFY channel audio.create_batch and retry_failed signal when they queue work: a
 * long-lived worker LISTENs on it and leaves its idle pause at once. */
export const WORK_CHANNEL = "audio_queue_work";

// --- Settings (the operator's contract; see .env.example) --------------------------------------

/** A whole number's bounds and default (a setting, a page size). */
export interface IntRange {
  min: number;
  max: number;
  default: number;
}

/** Retries after the first provider attempt: the old browser hook's 1 s → 2 s → 4 s schedule. */
export const DEFAULT_MAX_RETRIES = 3;
/** First backoff delay; doubled per retry. */
export const DEFAULT_BACKOFF_BASE_MS = 1000;
/** No single wait longer than 30 s: an invocation's time budget is a few minutes, and a longer
 * Retry-After is better served by re-queueing than by sleeping. */
export const DEFAULT_MAX_BACKOFF_MS = 30_000;

/** The visibility timeout must exceed the provider timeout by this much, for the upload to
 * Storage and the completing call after the last byte arrives; otherwise a slow request's
 * message is redelivered while it still runs. */
export const UPLOAD_MARGIN_MS = 5000;

/** What an invocation needs after its last attempt and backoff, within the wall clock: the
 * upload, the completing call, handing back buffered messages and kicking its successor. */
export const WALL_MARGIN_MS = 5000;

/** AUDIO_WORKER_SECRET's shortest length: a guessable secret would let anyone start workers. */
export const WORKER_SECRET_MIN_CHARS = 16;

/** The shortest provider timeout allowed: under 1 s would cut off ordinary requests. */
const MIN_PROVIDER_TIMEOUT_MS = 1000;

export const INT_SETTINGS = {
  /** Requests in flight across all workers. Default 3: Cartesia's Pro plan (Free 2, Startup 5,
   * Scale 15), and the old browser hook's pool size. */
  AUDIO_GENERATION_CONCURRENCY: { min: 1, max: MAX_CONCURRENCY, default: 3 },
  /** More than 10 retries only hold a message longer: with the default base and cap, every
   * wait from the sixth retry on is already at or near the 30 s cap. */
  AUDIO_MAX_RETRIES: { min: 0, max: 10, default: DEFAULT_MAX_RETRIES },
  /** Below 10 ms a retry is a busy loop against a provider that just refused; above a minute
   * the first retry alone outlasts most invocations. */
  AUDIO_BACKOFF_BASE_MS: { min: 10, max: 60_000, default: DEFAULT_BACKOFF_BASE_MS },
  /** Up to 5 minutes for a long-lived worker that may sleep; the default suits invocations. */
  AUDIO_MAX_BACKOFF_MS: { min: 100, max: 300_000, default: DEFAULT_MAX_BACKOFF_MS },
  /** One request's upper bound. A sentence takes a few seconds at most; 30 s covers a slow
   * provider without holding a permit for long. */
  AUDIO_PROVIDER_TIMEOUT_MS: { min: MIN_PROVIDER_TIMEOUT_MS, max: 300_000, default: 30_000 },
  /** Seconds a claimed message stays invisible; each attempt extends it. It must outlast the
   * provider timeout plus UPLOAD_MARGIN_MS (settings.ts checks the pair), so the least is the
   * shortest timeout's; 60 s outlasts the default timeout with room. */
  AUDIO_VISIBILITY_TIMEOUT_S: {
    min: (MIN_PROVIDER_TIMEOUT_MS + UPLOAD_MARGIN_MS) / 1000,
    max: 3600,
    default: 60,
  },
  /** At least one delivery; past 100 a message that fails every time would churn for hours. */
  AUDIO_MAX_READS: { min: 1, max: 100, default: DEFAULT_MAX_READS },
  /** How long an invocation claims work. With the default provider timeout (30 s) and backoff cap
   * (30 s), 85 s is the most that keeps budget + one attempt + its longest backoff + WALL_MARGIN_MS
   * within the Free plan's 150 s wall clock (settings.ts refuses settings that do not fit
   * AUDIO_WALL_CLOCK_S). Attempts start only while a whole attempt fits in the budget. */
  AUDIO_WORKER_BUDGET_S: { min: 5, max: 86_400, default: 85 },
  /** The Edge Functions' wall clock on the project's plan: 150 s on Free, 400 s on paid plans
   * (set 400 there, then raise AUDIO_WORKER_BUDGET_S). At least what the shortest budget,
   * timeout and backoff need with the margin; up to two days, room for a day-long budget. */
  AUDIO_WALL_CLOCK_S: { min: 15, max: 172_800, default: 150 },
  /** A cancel must abort in-flight requests within about a second; 250 ms does it with a cheap
   * query four times a second per busy worker. The period where LISTEN is unavailable: where it
   * works, the cancel's NOTIFY does it at once and the poll slows to CANCEL_FALLBACK_POLL_MS. */
  AUDIO_CANCEL_POLL_MS: { min: 50, max: 5000, default: 250 },
  /** Seconds between probes while the provider circuit is open (a bad key, no credits, an
   * outage). Each failed probe costs one rejected request; 30 s notices a fixed key within half a
   * minute and costs about 120 requests an hour while nobody fixes it. Up to an hour. */
  AUDIO_CIRCUIT_PROBE_S: { min: 1, max: 3600, default: 30 },
  /** Segments in a row (as one worker sees them) whose last attempt got a 5xx or timed out before
   * that worker opens the circuit. Each such segment already spent its retries (four requests by
   * default), so one or two are a blip; five in a row, twenty server errors with backoff between
   * them, is an outage worth stopping for. */
  AUDIO_CIRCUIT_5XX_SEGMENTS: { min: 1, max: 1000, default: 5 },
  /** Seconds without a concurrency 429 before a learned limit probes one step back up. Each probe
   * above the plan costs one refused request (not a failed attempt); 5 minutes finds a plan
   * upgrade within minutes and costs about 12 refused requests an hour when another client keeps
   * a slot busy. Down to 1 s for benchmarks; up to a day. */
  AUDIO_LIMIT_PROBE_S: { min: 1, max: 86_400, default: 300 },
  /** CPU time (ms) a process-segments invocation spends before it stops starting requests and
   * hands over to a fresh invocation. Supabase ends an Edge Function request after 2 s of CPU;
   * 1.5 s leaves half a second for the requests in flight to land, their uploads, the hand-back
   * of what is buffered and the kick of the successor. At least 100 ms (a run must get some work
   * done); up to a minute, for platforms with a larger limit. Where the runtime does not tell a
   * function its CPU time (Supabase's), the run counts CPU_ESTIMATE_PER_SEGMENT_MS and
   * CPU_ESTIMATE_PER_S instead. */
  AUDIO_WORKER_CPU_BUDGET_MS: { min: 100, max: 60_000, default: 1500 },
} as const satisfies Record<string, IntRange>;

/** AUDIO_LIMIT_PINNED's default: the limit is learned (pin it only when the plan is known and no
 * other client shares the key). */
export const DEFAULT_LIMIT_PINNED = false;

/** Defaults of the provider settings: Cartesia's API, the dated API version this client speaks,
 * its general-purpose model, English. */
export const CARTESIA_DEFAULTS = {
  CARTESIA_BASE_URL: "https://api.cartesia.ai",
  CARTESIA_VERSION: "2025-04-16",
  CARTESIA_MODEL_ID: "sonic-2",
  CARTESIA_LANGUAGE: "en",
} as const;

/** The default output: 16-bit PCM WAV at 44.1 kHz plays in every browser without a decoder
 * download; the bit rate counts only for mp3, where 128 kbit/s is clear speech at a small size.
 * The allowed values are in audio_format.ts. */
export const DEFAULT_OUTPUT = {
  container: "wav",
  encoding: "pcm_s16le",
  sampleRate: 44100,
  bitRate: 128000,
} as const;

// --- The worker ------------------------------------------------------------------------------

/** A busy worker records its heartbeat this often even when it claims nothing (every slot
 * waiting on the provider): a sixth of WORKER_STALE_S, so several beats can be late before it
 * counts as gone. */
export const HEARTBEAT_MS = 5000;

/** Poll period while every permit is taken. A worker that frees a permit takes it again for its
 * next segment a few ms later (it claims ahead), so other workers need not poll fast: 50 ms
 * costs little throughput and keeps the database load to a few queries per segment. A slot of
 * the same worker that frees a permit wakes its poller at once, without waiting for the period. */
export const PERMIT_POLL_MS = 50;

/** Poll period while the queue holds only invisible messages (other workers' in flight, or a
 * dead worker's awaiting their visibility timeout): a quarter second adds little latency when
 * they come back and costs four cheap queries a second. */
export const IDLE_POLL_MS = 250;

/** Seconds a message is hidden after an unexpected error (a Storage or database hiccup) before
 * another try: long enough for a blip to pass, short against the visibility timeout. The
 * read-count limit turns a persistent error into a failed segment. */
export const ERROR_RETRY_DELAY_S = 5;

/** While the database cannot be reached (a restart), end_attempt and complete_segment are retried
 * this often, for up to the permit's lease: the permit comes back within a quarter second of the
 * database instead of when its lease runs out, and uploaded audio is recorded instead of being
 * generated again. */
export const UNREACHABLE_RETRY_MS = 250;

/** How often a worker extends the visibility timeout of every message it holds (claim-ahead's
 * buffer, its slots' segments), as a fraction of that timeout: at a third, two extensions in a
 * row can fail (a database blip) before a held message could reappear to another worker. */
export const CLAIM_EXTEND_FRACTION = 1 / 3;

/** A worker heartbeats only while it makes progress (a database call of its work answered: a
 * claim, a permit poll, an attempt's end, a completion, an idle poll). It must beat through the
 * longest quiet stretch a healthy worker has — one provider attempt, one backoff sleep, one
 * upload or one statement, whichever is longest — plus this margin for the calls around it. A
 * worker stuck in one call longer than that stops beating and is replaced (WORKER_STALE_S). */
export const PROGRESS_MARGIN_MS = 10_000;

/** One Storage upload's upper bound. A clip is a few hundred KB (ten seconds of 44.1 kHz 16-bit
 * WAV is under 1 MB), which takes well under a second even on a slow link; 30 s means Storage is
 * not answering, and the message is better handed back for a later try than held. */
export const STORAGE_UPLOAD_TIMEOUT_MS = 30_000;

/** How long a worker keeps retrying the upload of audio it already has, and the first of its
 * doubling delays. Storage's brief errors (a restart, a 5xx burst) pass within seconds; 15 s of
 * retries costs the segment's slot far less than a second provider call, and stays inside the
 * progress window (one upload timeout plus the margin), so a worker retrying is not taken for
 * stuck. An upload that timed out (30 s) is not retried: Storage is not answering. */
export const STORAGE_RETRY_WINDOW_MS = 15_000;
export const STORAGE_RETRY_FIRST_MS = 500;

/** statement_timeout of the functions' database sessions: no statement of theirs runs long (the
 * largest, create_batch for the biggest batch, aims at under 10 s), so 60 s only ever ends a
 * statement that hangs, well inside the Edge Function's wall clock. */
export const DB_STATEMENT_TIMEOUT_MS = 60_000;

/** lock_timeout of the same sessions: the locks they wait for are held for one short statement
 * (a segment row in guard_segment, the content's advisory lock in begin_attempt, a batch's rows
 * while cancel_batch runs, which aims at under 3 s); 10 s waits those out and ends a wait on a
 * lock that is never released. */
export const DB_LOCK_TIMEOUT_MS = 10_000;

/** A permit's lease outlives its request (the provider timeout) by this margin, so a live
 * request never loses its permit; a dead holder's permit frees itself once it runs out. */
export const LEASE_MARGIN_S = 5;

/** A run with nothing visible to claim waits out one visibility timeout plus this margin before
 * it exits, so a dead worker's messages reappear while this run is still there to take them,
 * rather than on the next cron tick. */
export const IDLE_EXIT_MARGIN_MS = 5000;

/** How long a kick waits for process-segments to accept (it answers 202 at once); past it the
 * pg_cron watchdog is the fallback. Shared with SQL: pg_net's timeout for the watchdog's kick. */
export const KICK_TIMEOUT_MS = 5000;

/** start-batch skips its kick when a worker heartbeated this recently: that worker is running
 * and claims the new messages by itself. Shorter than WORKER_STALE_S because an admin is waiting
 * for the first audio: a worker silent for two heartbeats may be gone, and a needless kick costs
 * one invocation where a wrong skip costs a wait for the watchdog. */
export const WORKER_FRESH_S = 10;

/** Where the runtime does not tell a function its CPU time, a run's CPU budget counts an estimate
 * of it instead: this much per segment the run took, plus CPU_ESTIMATE_PER_S for each second it
 * has run (its polls, timers and claims). Supabase's edge runtime is such a runtime: its
 * process.cpuUsage() prints "Not implemented" and answers zeros, and it offers no other CPU clock
 * to a function. Set above what a worker process used in `scripts/bench plan` (process CPU, so also
 * the threads a platform's per-thread count leaves out): at 8833672, 2.8 to 4.2 ms a segment with
 * one worker, and with three at C = 15 and 1,000 ms requests 7.3 ms a segment, most of it the
 * per-second work of 15 slots (claims, extensions, polls) over 30 s for 150 segments a worker;
 * 4 ms and 15 ms/s fell short of that row (0.92). 5 ms and 25 ms/s covered every worker of
 * every row in two matrices (1.21x to 2.10x): a run hands over early (at C = 15 and 200 ms
 * requests after about 280 segments of the 1.5 s default) rather than be ended by the platform
 * with segments claimed. `scripts/bench` prints each worker's estimate beside its CPU. An idle run
 * counts only the seconds: 1.5 s after a minute, about when it would leave for want of work. */
export const CPU_ESTIMATE_PER_SEGMENT_MS = 5;
export const CPU_ESTIMATE_PER_S = 25;
/** The two together, as a run's configuration takes them (worker/pool.ts, cpuEstimate). */
export const CPU_ESTIMATE = {
  perSegmentMs: CPU_ESTIMATE_PER_SEGMENT_MS,
  perSecondMs: CPU_ESTIMATE_PER_S,
} as const;

/** Pause of the long-lived worker between runs when the queue was empty: new work waits at most
 * this long for a worker that is already up where LISTEN is unavailable (start-batch also kicks
 * process-segments at once). */
export const LONG_LIVED_IDLE_PAUSE_MS = 500;

/** A long-lived worker has no wall clock, but a run needs a budget: one lasts a day at most, then
 * the loop starts the next, so per-run state (the cancel watcher's batches seen) is dropped daily
 * instead of growing for the life of the process. */
export const LONG_LIVED_RUN_MS = 24 * 3600 * 1000;

/** The provider circuit's settings where a run is given none (unit tests, the worker's own
 * defaults): the settings' defaults, each with its reason above. */
export const CIRCUIT_DEFAULTS = {
  probeAfterS: INT_SETTINGS.AUDIO_CIRCUIT_PROBE_S.default,
  serverFailureLimit: INT_SETTINGS.AUDIO_CIRCUIT_5XX_SEGMENTS.default,
} as const;

// --- Requests and responses ------------------------------------------------------------------

/** A signed audio URL lives long enough to play and replay a clip, short enough not to be a link
 * to share. */
export const AUDIO_URL_TTL_S = 600;

/** admin-api's segment list pages: 200 fills a screen; 1000 caps one answer's size. */
export const SEGMENT_PAGE: IntRange = { min: 1, max: 1000, default: 200 };

/** admin-api's batch list: the last 20 fit the page's history panel; 200 caps one answer. */
export const BATCH_LIST: IntRange = { min: 1, max: 200, default: 20 };

/** Field errors in one 400 answer: enough to fix a form, small enough to read. */
export const MAX_FIELD_ERRORS = 20;

// --- The database connection -----------------------------------------------------------------

/** Connections beyond one per slot: the claims, the cancel watcher and a request's own queries,
 * so a slot never waits for a connection and an invocation stays small against the project's
 * connection limit. */
export const DB_EXTRA_CONNECTIONS = 3;
/** Seconds before an idle connection closes, so a function instance kept warm between
 * invocations does not hold connections against the project's limit. */
export const DB_IDLE_TIMEOUT_S = 20;
/** The longest wait before reconnecting after a lost connection. postgres.js's own backoff grows
 * to 20 s with every failed connect of any connection in the pool, so a two-second restart could
 * keep a worker away for ten more; capped at 1 s, the worker is back within about a second of
 * Postgres accepting connections (a refused connect costs the database nothing). */
export const DB_RECONNECT_MAX_S = 1;
/** The first reconnect's wait; doubled per failed connect up to DB_RECONNECT_MAX_S. */
export const DB_RECONNECT_FIRST_S = 0.05;
/** Seconds to wait for a connection: a database that does not answer in 10 s is down, and the
 * caller's retry (the next poll, the watchdog) does better than waiting on. */
export const DB_CONNECT_TIMEOUT_S = 10;

// --- The catalog's pages ------------------------------------------------------------------------

/** admin-api's words pages, in words (each with up to three segments): 50 fill a screen of the
 * page's table; 200 (600 segment states) caps one answer, a few hundred kilobytes. */
export const WORD_PAGE: IntRange = { min: 1, max: 200, default: 50 };

/** The longest search text admin-api's words read takes: longer than any word, short enough that
 * a pattern costs nothing to match. */
export const MAX_WORD_SEARCH = 100;

// --- The learned concurrency limit -------------------------------------------------------------

/** How often each worker reads the learned limit (audio.limit_tick): the probe step's timing and
 * the report's figures are at most this old. One cheap statement a second per worker; a plan cut
 * is followed at once by the 429s themselves, not by this. */
export const LIMIT_WATCH_MS = 1000;

// --- The gapless hand-off (shared with SQL: PERMIT_CHANNEL is audio.permit_channel()) ---------

/** The NOTIFY channel on which a freed permit (one no hand-off took again) wakes the workers
 * waiting for one, at the commit that freed it. */
export const PERMIT_CHANNEL = "audio_queue_permit";

/** The permit poll's period while the worker LISTENs on PERMIT_CHANNEL: a freed permit wakes it
 * at once, so the poll only finds what no notification announces — a dead worker's lease that
 * ran out (its request timed out long ago anyway) — and one second is soon enough for those. */
export const PERMIT_FALLBACK_POLL_MS = 1000;

/** The NOTIFY channel on which a cancel reaches the workers at its commit (the payload is the
 * batch id): a worker holding that batch asks about it at once instead of at its next poll. */
export const CANCEL_CHANNEL = "audio_queue_cancel";

/** The cancel poll's period (at least; AUDIO_CANCEL_POLL_MS if longer) while the worker LISTENs
 * on CANCEL_CHANNEL: the poll then only finds a cancel whose notification was lost while the
 * LISTEN connection was re-established, and still within about a second. */
export const CANCEL_FALLBACK_POLL_MS = 1000;

// --- start-batch's estimate (dryRun) --------------------------------------------------------------

/** AUDIO_PRICE_PER_1K_CHARS: what 1,000 characters of synthesis cost on the account's plan
 * (Cartesia bills one credit per character; a plan's price per credit is its monthly price over
 * its credits). Default 0: the price depends on the plan and is not guessed, so no cost is shown
 * until it is set. The ceiling of 1,000 is far above any plan: a larger number is a typo. */
export const PRICE_PER_1K_CHARS = { min: 0, max: 1000, default: 0 } as const;

/** The typical request time is the mean provider time of this many of the newest requests: enough
 * that a few slow ones do not swing it, recent enough to follow the model and plan now. */
export const ESTIMATE_TIMED_REQUESTS = 200;

/** The typical request time before any request has been timed here: the old in-browser generator
 * measured about 2 s per segment (the Cartesia stand-in's mean answer time for the same reason);
 * measurements replace it once segments have been generated. */
export const DEFAULT_REQUEST_MS = 2000;

// --- Retention (shared with SQL: audio.history_retention_days()'s default) ---------------------

/** Days the nightly prune (audio.prune_history) keeps the history: pg_cron's run records, the
 * queue's archive, and the segment rows of finished batches (the batch rows stay, with their
 * counters). A month covers any question about last week's batches; the database reads the
 * setting `history_retention_days` (scripts/stack stores AUDIO_HISTORY_DAYS there) and falls back
 * to this same 30. */
export const AUDIO_HISTORY_DAYS = 30;
