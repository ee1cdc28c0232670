// admin-api's admin routes, one function each, all inside the caller's transaction (asAdmin has
// already checked audio.is_admin). route() picks one by method and path; handler.ts does the
// rest (CORS, the token, /me, errors).
import type postgres from "postgres";
import { z } from "zod";
import type { App } from "../_shared/app.ts";
import { AUDIO_URL_TTL_S, BATCH_LIST, SEGMENT_PAGE } from "../_shared/config.ts";
import { errorResponse, json } from "../_shared/http.ts";
import { fieldErrors } from "../_shared/validate.ts";
import { circuitRead, circuitResume } from "./circuit.ts";
import { limitRead } from "./limit.ts";
import { batchIdParam, intParam, pageParam, statusParam } from "./params.ts";
import { segmentsPage } from "./segments.ts";
import { wordsPage } from "./words.ts";

type Tx = postgres.TransactionSql;

// One admin request: its method and path, the parsed body (POST /audio-url and
// /circuit/resume only), the caller's user id and the app.
interface AdminRequest {
  method: string;
  url: URL;
  route: string;
  parts: string[];
  body: unknown;
  userId: string;
  app: App;
}

// Timestamps go out as Postgres text: microseconds intact, so the page can order a snapshot
// against Realtime events of the same millisecond (a JS Date keeps milliseconds only).
const BATCH_COLUMNS =
  `id, status, total, done, failed, cancelled, skipped, source, requested_by, grade, scope, kinds,
  characters::float8 as characters,
  voice_id, model_id, format, missing_only, created_at::text as created_at, started_at::text as started_at,
  finished_at::text as finished_at, cancel_requested_at::text as cancel_requested_at, updated_at::text as updated_at`;

const audioUrlBody = z.strictObject({
  wordId: z.guid({ error: "must be a word id (uuid)" }),
  kind: z.enum(["word", "definition", "sentence"], {
    error: "must be word, definition or sentence",
  }),
}, { error: "must be a JSON object" });

export async function route(tx: Tx, r: AdminRequest): Promise<Response> {
  const { method, parts } = r;
  if (r.route === "grades" && method === "GET") return await grades(tx, r);
  if (r.route === "words" && method === "GET") return await words(tx, r);
  if (parts[0] === "batches" && parts.length === 1 && method === "GET") {
    return await batchList(tx, r);
  }
  if (parts[0] === "batches" && parts.length >= 2) {
    const answer = await oneBatch(tx, r);
    if (answer) return answer;
  }
  if (r.route === "audio-url" && method === "POST") return await audioUrl(tx, r);
  if (r.route === "health" && method === "GET") return await health(tx, r.url);
  if (r.route === "circuit" && method === "GET") return await circuitRead(tx);
  if (r.route === "limit" && method === "GET") return await limitRead(tx, r.app);
  if (r.route === "circuit/resume" && method === "POST") {
    return await circuitResume(tx, r.body, r.userId);
  }
  return errorResponse(404, "not_found", `no route ${method} /admin-api/${r.route}`);
}

// The voice, model and format the page's states are measured against: the app's settings.
function defaults(app: App) {
  const s = app.settings;
  return [s.CARTESIA_VOICE_ID, s.CARTESIA_MODEL_ID, app.defaultFormat] as const;
}

async function grades(tx: Tx, r: AdminRequest): Promise<Response> {
  const [voice, model, format] = defaults(r.app);
  const rows = await tx`select * from audio.grade_summary(${voice}, ${model}, ${format})`;
  return json({ grades: rows });
}

async function words(tx: Tx, r: AdminRequest): Promise<Response> {
  const [voice, model, format] = defaults(r.app);
  return await wordsPage(tx, r.url, { voice, model, format });
}

async function batchList(tx: Tx, r: AdminRequest): Promise<Response> {
  const limit = pageParam(r.url, "limit", BATCH_LIST);
  const rows = await tx`select ${
    tx.unsafe(BATCH_COLUMNS)
  } from public.audio_batches order by created_at desc limit ${limit}`;
  return json({ batches: rows });
}

// /batches/<id>[/segments | /retry]: the batch must exist; null when no sub-route matches.
async function oneBatch(tx: Tx, r: AdminRequest): Promise<Response | null> {
  const { method, parts } = r;
  const id = batchIdParam(parts[1]);
  // seq: the last Broadcast message sent on batch:<id>, read in the same statement as the row, so
  // the page knows which messages the row already covers (0 before the first).
  const [batch] = await tx`select ${tx.unsafe(BATCH_COLUMNS)},
    coalesce((select s.seq from audio.batch_broadcasts as s where s.batch_id = b.id), 0)::int as seq
    from public.audio_batches as b where id = ${id}::uuid`;
  if (!batch) {
    return errorResponse(404, "not_found", "no batch with that id", [{
      field: "batchId",
      message: "no such batch",
    }]);
  }
  if (parts.length === 2 && method === "GET") return json({ batch });
  if (parts[2] === "segments" && parts.length === 3 && method === "GET") {
    return await segments(tx, r.url, id);
  }
  if (parts[2] === "retry" && parts.length === 3 && method === "POST") {
    const [row] = await tx`select audio.retry_failed(${id}::uuid) as requeued`;
    return json({ batchId: id, requeued: Number(row.requeued) });
  }
  return null;
}

// A day: a batch idle longer than that is stalled whatever threshold was meant.
const MAX_STALLED_MINUTES = 1440;

// audio.health(): the queue, the workers, the last kicks, stalled batches and the problems found.
// ?stalledMinutes= overrides the SQL's default threshold.
async function health(tx: Tx, url: URL): Promise<Response> {
  const minutes = intParam(url, "stalledMinutes", 1, MAX_STALLED_MINUTES, null);
  const [row] = minutes === null
    ? await tx`select audio.health() as health`
    : await tx`select audio.health(p_stalled_minutes => ${minutes}::integer) as health`;
  return json({ health: row.health });
}

async function segments(tx: Tx, url: URL, id: string): Promise<Response> {
  const status = statusParam(url);
  const after = intParam(url, "after", 0, Number.MAX_SAFE_INTEGER, 0)!;
  const limit = pageParam(url, "limit", SEGMENT_PAGE);
  const rows = await segmentsPage(tx, { batchId: id, status, after, limit });
  return json({ segments: rows });
}

async function audioUrl(tx: Tx, r: AdminRequest): Promise<Response> {
  const parsed = audioUrlBody.safeParse(r.body);
  if (!parsed.success) {
    return errorResponse(
      400,
      "invalid_request",
      "the request body is not valid",
      fieldErrors(parsed.error),
    );
  }
  const [row] = await tx`select storage_path from public.word_audio
    where word_id = ${parsed.data.wordId}::uuid and kind = ${parsed.data.kind}`;
  if (!row) {
    return errorResponse(404, "not_found", "that word has no audio of that kind yet", [{
      field: "wordId",
      message: "no audio",
    }]);
  }
  return json({ url: await r.app.signedUrl(row.storage_path, AUDIO_URL_TTL_S) });
}
