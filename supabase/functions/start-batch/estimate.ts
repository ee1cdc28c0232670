// start-batch's dry run: what a batch would be — its segments by kind, how many take existing
// audio and how many are generated, the characters the provider would bill, the cost at the
// configured price, and how long it would take at the concurrency limit now. One read
// (audio.estimate_batch, which asks audio.missing_segments exactly as audio.create_batch does) in
// a read-only transaction: nothing is written, queued or locked.
import type postgres from "postgres";
import type { App } from "../_shared/app.ts";
import { DEFAULT_REQUEST_MS, ESTIMATE_TIMED_REQUESTS } from "../_shared/config.ts";

/** One kind's share of the batch. */
export interface KindEstimate {
  kind: string;
  total: number;
  skipped: number;
  queued: number;
}

/** The dry run's answer: the counts a real start would answer (total, queued, skipped, pending)
 * and what generating the queued segments would take. */
export interface BatchEstimate {
  dryRun: true;
  total: number;
  queued: number;
  /** Segments that take existing audio at once (identical content already generated). */
  skipped: number;
  /** Segments another live batch already holds: left out. */
  pending: number;
  byKind: KindEstimate[];
  /** Provider requests: distinct texts among the queued (identical text is generated once). */
  requests: number;
  /** Characters of those requests: what the provider bills (one credit per character). */
  characters: number;
  /** null when AUDIO_PRICE_PER_1K_CHARS is 0 (the price is not known). */
  cost: { amount: number; pricePer1kChars: number } | null;
  time: TimeEstimate;
}

export interface TimeEstimate {
  /** requests × typicalRequestMs ÷ limit, in whole seconds. */
  seconds: number;
  typicalRequestMs: number;
  /** "measured": the mean of the newest timedRequests requests; "default": none timed yet. */
  typicalFrom: "measured" | "default";
  timedRequests: number;
  /** The concurrency limit now: learned from the provider's 429s, or the configured ceiling. */
  limit: number;
}

export interface EstimateScope {
  wordIds: string[] | null;
  grade: number | null;
  kinds: string[];
  missingOnly: boolean;
  voiceId: string;
}

/** The estimate, or the 1-based positions of ids that name no word. */
export type EstimateOutcome =
  | { ok: true; estimate: BatchEstimate }
  | { ok: false; unknownPositions: number[] };

export async function estimateBatch(
  app: App,
  tx: postgres.TransactionSql,
  scope: EstimateScope,
): Promise<EstimateOutcome> {
  const s = app.settings;
  await tx`set transaction read only`;
  const [r] = await tx`
    select * from audio.estimate_batch(
      p_word_ids => ${scope.wordIds}::uuid[],
      p_grade => ${scope.grade}::smallint,
      p_kinds => ${scope.kinds}::text[],
      p_missing_only => ${scope.missingOnly},
      p_voice_id => ${scope.voiceId},
      p_model_id => ${s.CARTESIA_MODEL_ID},
      p_format => ${app.defaultFormat},
      p_ceiling => ${s.AUDIO_GENERATION_CONCURRENCY}::integer,
      p_samples => ${ESTIMATE_TIMED_REQUESTS}::integer)`;
  if (r.unknown_positions !== null) {
    return { ok: false, unknownPositions: r.unknown_positions as number[] };
  }
  const requests = Number(r.requests);
  const characters = Number(r.characters);
  const price = s.AUDIO_PRICE_PER_1K_CHARS;
  const byKind = (r.by_kind as { kind: string; total: number; reused: number; queued: number }[])
    .map((k) => ({ kind: k.kind, total: k.total, skipped: k.reused, queued: k.queued }));
  return {
    ok: true,
    estimate: {
      dryRun: true,
      total: Number(r.total),
      queued: Number(r.queued),
      skipped: Number(r.reused),
      pending: Number(r.pending),
      byKind,
      requests,
      characters,
      cost: price > 0
        ? { amount: roundCents(characters / 1000 * price), pricePer1kChars: price }
        : null,
      time: timeEstimate(
        requests,
        r.typical_ms as number | null,
        Number(r.timed_requests),
        Number(r.effective_limit),
      ),
    },
  };
}

/** How long requests take at limit requests in flight, each typicalMs (measured, else the
 * documented default). */
export function timeEstimate(
  requests: number,
  measuredMs: number | null,
  timedRequests: number,
  limit: number,
): TimeEstimate {
  const typical = measuredMs ?? DEFAULT_REQUEST_MS;
  const lanes = Math.max(1, limit);
  return {
    seconds: Math.ceil(requests * typical / lanes / 1000),
    typicalRequestMs: typical,
    typicalFrom: measuredMs === null ? "default" : "measured",
    timedRequests,
    limit: lanes,
  };
}

/** Money to the cent (hundredths of the price's unit). */
const roundCents = (amount: number) => Math.round(amount * 100) / 100;
