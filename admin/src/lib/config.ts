// Every default and limit of the admin side (client module, followBatch, the page), each with the
// reason for its value. followBatch's defaults can be changed per call (FollowOptions); the rest
// are fixed. One value mirrors a server limit and says which: the bundle never imports server
// code, so a change on the server must be made here too.

// ---- Limits of the server that the client keeps to ----

/** admin-api answers at most 1000 segments a page (a larger limit is capped). The client asks for
 * full pages, and a shorter page tells it that it has them all. */
export const MAX_SEGMENT_PAGE = 1000;

// admin-api's largest words page (WORD_PAGE.max in supabase/functions/_shared/config.ts).
export const MAX_WORD_PAGE = 200;

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

/** Realtime closes a channel by itself (over the project's messages per second, a token that
 * expired or lost access) and realtime-js does not join it again: the page does, after a fresh
 * token, waiting 1 s, then 2, 5, 10 and 30 s (and 30 s from then on) while closes keep coming. A
 * second is enough for a new token or a new quota second; a cause that stays (a project over
 * its quota all the time) costs one join every 30 s, not a join storm, and the snapshot is polled
 * meanwhile. A channel that stayed joined for REJOIN_STABLE_MS starts over at 1 s. */
export const REJOIN_AFTER_CLOSE_MS = [1000, 2000, 5000, 10_000, 30_000] as const;
export const REJOIN_STABLE_MS = 60_000;

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

/** The words table shows the first 60 characters of a failure's reason under its badge: two short
 * lines in a table cell; the whole reason is in the batch panel's failures. */
export const FAILURE_TEXT_CHARS = 60;

/** The health warning reads admin-api/health every 30 s: the watchdog kicks every 10 s (every
 * minute on older pg_cron), so a stuck pipeline shows within a minute, for one small query. */
export const HEALTH_POLL_MS = 30_000;

/** The page samples the batch's done count once a second for its rate: the count moves in steps
 * of whole segments, so sampling faster only adds noise. */
export const RATE_SAMPLE_MS = 1000;

/** No rate (and no ETA) in a batch's first 5 s or before 3 segments have succeeded: the first
 * requests all finish together after one provider round trip, and a rate from them swings from 0
 * to several times the real one. */
export const RATE_WARMUP_MS = 5000;
export const RATE_MIN_SUCCESSES = 3;

/** The shown rate follows the measured one with a 10 s time constant: a burst of 429s or one slow
 * request moves it a little, a change of plan within half a minute. */
export const RATE_SMOOTHING_MS = 10_000;

/** A read of the page that failed for want of a connection or a server error is tried again every
 * 5 s (and at once when the browser comes back online): a restarting gateway is back within a few
 * seconds, and three small reads every 5 s cost nothing. */
export const LOAD_RETRY_MS = 5000;

/** Each failure reason lists its first 5 failures by word and kind, then "…and N more": enough
 * to see which words a reason hits without pushing the next reason off the screen. */
export const FAILURES_PER_REASON = 5;

/** "Show older batches" reads 20 more each time, up to admin-api's cap of 200 rows. */
export const BATCH_HISTORY_MAX = 200;

// ---- The words table ----

/** The words table reads 200 words a request (admin-api's cap): one index range of a few
 * milliseconds, and about 20 box-heights of scrolling before the next read. */
export const WORD_PAGE_SIZE = MAX_WORD_PAGE;

/** Typing in the word search waits 250 ms of quiet before it asks the server: a word typed at
 * speed is one request, and the answer still feels immediate. */
export const WORD_SEARCH_DEBOUNCE_MS = 250;

/** Every row of the words table is 72 px tall (the body is virtualized, so the height must be
 * known): a badge with its play button on one line (44 px on a phone, where buttons are thumb-sized)
 * and a failure's reason on a second. styles.css sizes the cells to match. */
export const WORD_ROW_PX = 72;

/** Rows rendered beyond each edge of the table's box: 40, so a grade of the sample's size (at most
 * 46 words) renders whole at the top, a fast flick of a box-height never shows an empty band, and
 * the DOM still holds under 100 rows at a laptop's or phone's box height. */
export const WORD_OVERSCAN_ROWS = 40;

/** The next page is read when the rendered rows come within 50 of the last loaded one: about
 * five box-heights ahead, so scrolling at reading speed never waits on it. */
export const WORD_LOAD_AHEAD_ROWS = 50;

/** Generate asks for confirmation, with the estimate, before a batch that would generate 1,000
 * segments or more (or any batch of the whole catalog): about 33,000 characters of credits (the
 * sample vocabulary averages 33 a segment) and, at three requests in flight of about 2 s each,
 * over ten minutes of the provider plan. Smaller batches (one grade of a few hundred segments)
 * start at once, as a routine press should. */
export const CONFIRM_FROM_SEGMENTS = 1000;
