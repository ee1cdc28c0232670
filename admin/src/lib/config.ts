// Every default and limit of the admin side (client module, followBatch, the page), each with the
// reason for its value. followBatch's defaults can be changed per call (FollowOptions); the rest
// are fixed. One value mirrors a server limit and says which: the bundle never imports server
// code, so a change on the server must be made here too.

// ---- Limits of the server that the client keeps to ----

/** admin-api answers at most 1000 segments a page (a larger limit is capped). The client asks for
 * full pages, and a shorter page tells it that it has them all. */
export const MAX_SEGMENT_PAGE = 1000;

// ---- followBatch (each can be overridden through FollowOptions) ----

export const FOLLOW_DEFAULTS = {
  /** 50 rows is what a screen shows of "generating now"; the count beside it is always exact. */
  inFlightLimit: 50,
  /** 100 ms: ten renders a second at most, smooth to the eye, cheap for a 10,000-segment batch. */
  notifyIntervalMs: 100,
  /** Throughput and ETA move by the second; refreshing them faster would only re-render. */
  tickMs: 1000,
  /** While Realtime is not joined (down, or a proxy blocks websockets), reload the snapshot this
   * often: the page stays correct, only less live. Long enough not to reload a big batch
   * constantly. */
  fallbackPollMs: 5000,
  /** While joined and the batch is active, read the batch row this often anyway: an event lost
   * on the way (a server-side gap, a dropped message) must not leave the page short of the end
   * forever. One small row every 15 s costs nothing beside the event stream. */
  liveCheckMs: 15_000,
  /** A failed snapshot is retried after 2 s, up to 5 times (10 s in all: a restarting gateway or
   * a brief network drop), then waits for the next rejoin. */
  snapshotRetryMs: 2000,
  maxSnapshotRetries: 5,
  /** 40 pages × 1000 = 40,000 segments per status: above the largest batch (10,000 words × 3). */
  maxSnapshotPages: 40,
  /** A segments message that lists none (`more`: over 200 changed since the last one) or a lost
   * message makes the follow read the segments again, at most once per 5 s: a batch that keeps
   * outrunning the message cap would otherwise re-read 30 pages of a 30,000-segment batch twice
   * a second. The counters never wait for it: every progress message carries them. */
  rereadMs: 5000,
} as const;

/** If the subscription keeps flapping while a snapshot loads, at most this many loads back to
 * back; the next (re)join or poll loads again anyway. */
export const MAX_SNAPSHOT_ROUNDS = 3;

/** Throughput is measured over the last 10 s: long enough to smooth over the provider's ~2 s per
 * request at low concurrency, short enough to follow a change of plan or a burst of 429s. */
export const THROUGHPUT_WINDOW_MS = 10_000;

/** Below 1 s of history the rate is noise (one finished segment would read as hundreds a second),
 * so no rate is shown. */
export const THROUGHPUT_MIN_SPAN_MS = 1_000;

// ---- The admin page ----

/** The page reads the provider circuit every 5 s: a stopped line shows its reason within seconds
 * of the first refused request, and a one-row read every 5 s costs nothing beside a batch. */
export const CIRCUIT_POLL_MS = 5000;

/** The page reads the concurrency limit every 3 s: requests in flight move by the second, and a
 * 429 storm or a probe step shows while it matters; one small read beside a batch. */
export const LIMIT_POLL_MS = 3000;

/** The history lists the latest 20 batches: enough to find today's work, in one small request
 * (admin-api allows up to 200). Also listBatches()'s default. */
export const BATCH_HISTORY_LIMIT = 20;

/** The "generating now" list shows the first 80 characters of a text: one line of a sentence. */
export const IN_FLIGHT_TEXT_CHARS = 80;

/** The failures list shows 60 characters of the text, leaving room on the line for the error. */
export const FAILURE_TEXT_CHARS = 60;

/** The health warning reads admin-api/health every 30 s: the watchdog kicks every 10 s (every
 * minute on older pg_cron), so a stuck pipeline shows within a minute, for one small query. */
export const HEALTH_POLL_MS = 30_000;
