// /functions/v1/admin-api/<route> — the admin page's reads (and retry), so the page needs no
// PostgREST: the same code serves the local stack and a Supabase project. Every route but /me
// needs an admin (audio.is_admin, as the RLS policies); /me tells the page whether to show
// "not authorized".
//   GET  /me                          { userId, isAdmin }
//   GET  /grades                      { grades: [{ grade, words, segments, ready, missing, stale, pending, failed }] }
//   GET  /words?grade=N               { words: [{ id, word, grade, segments: { <kind>: { state, text, storagePath?, error? } } }] }
//   GET  /batches?limit=20            { batches: [...] }, newest first
//   GET  /batches/<id>                { batch }
//   GET  /batches/<id>/segments?status=&after=&limit=   { segments: [...] } by id
//   POST /batches/<id>/retry          { batchId, requeued }
//   POST /audio-url {wordId, kind}    { url } signed for an <audio> element
import { z } from "zod";
import { asAdmin, forbidden, NotAdmin, requireClaims } from "../_shared/admin.ts";
import type { App } from "../_shared/app.ts";
import { AUDIO_URL_TTL_S, BATCH_LIST, type IntRange, SEGMENT_PAGE } from "../_shared/config.ts";
import { errorResponse, json, preflight, readJson } from "../_shared/http.ts";
import { fieldErrors } from "../_shared/validate.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEGMENT_STATUSES = ["queued", "generating", "done", "failed", "cancelled"];
// Timestamps go out as Postgres text: microseconds intact, so the page can order a snapshot
// against Realtime events of the same millisecond (a JS Date keeps milliseconds only).
const BATCH_COLUMNS =
  `id, status, total, done, failed, cancelled, skipped, source, requested_by, grade, kinds,
  voice_id, model_id, format, missing_only, created_at::text as created_at, started_at::text as started_at,
  finished_at::text as finished_at, cancel_requested_at::text as cancel_requested_at, updated_at::text as updated_at`;

class BadInput extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

function intParam(
  url: URL,
  name: string,
  min: number,
  max: number,
  fallback: number | null,
): number | null {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new BadInput(name, `must be a whole number from ${min} to ${max}`);
  }
  return n;
}

// A page-size parameter within its limits, or its default.
const pageParam = (url: URL, name: string, r: IntRange): number =>
  intParam(url, name, r.min, r.max, r.default)!;

const audioUrlBody = z.strictObject({
  wordId: z.guid({ error: "must be a word id (uuid)" }),
  kind: z.enum(["word", "definition", "sentence"], {
    error: "must be word, definition or sentence",
  }),
}, { error: "must be a JSON object" });

export function createAdminApiHandler(app: App): (req: Request) => Promise<Response> {
  const s = app.settings;
  const defaults = () => [s.CARTESIA_VOICE_ID, s.CARTESIA_MODEL_ID, app.defaultFormat] as const;

  return async (req) => {
    const early = preflight(req);
    if (early) return early;
    const url = new URL(req.url);
    const route = url.pathname.replace(/^.*\/admin-api\/?/, "").replace(/\/$/, "");
    const parts = route.split("/");
    const who = requireClaims(req);
    if (!who.ok) return who.response;

    try {
      if (route === "me" && req.method === "GET") {
        const isAdmin = await app.sql.begin(async (tx) => {
          await tx`select set_config('request.jwt.claims', ${JSON.stringify(who.claims)}, true)`;
          const [r] = await tx`select audio.is_admin() as is_admin`;
          return r.is_admin === true;
        });
        return json({ userId: who.claims.sub ?? null, isAdmin });
      }
      // Read the body before the transaction: a bad body must not hold a connection.
      let body: unknown = undefined;
      if (req.method === "POST" && route === "audio-url") {
        const raw = await readJson(req);
        if (!raw.ok) return raw.response;
        body = raw.value;
      }

      const result = await asAdmin(app.sql, who.claims, async (tx) => {
        const [voice, model, format] = defaults();
        if (route === "grades" && req.method === "GET") {
          const rows = await tx`
            select grade, count(distinct word_id)::int as words, count(*)::int as segments,
              count(*) filter (where state = 'ready')::int as ready,
              count(*) filter (where state = 'missing')::int as missing,
              count(*) filter (where state = 'stale')::int as stale,
              count(*) filter (where state in ('queued', 'generating'))::int as pending,
              count(*) filter (where state = 'failed')::int as failed
            from audio.segment_states(null, ${voice}, ${model}, ${format}) group by grade order by grade`;
          return json({ grades: rows });
        }
        if (route === "words" && req.method === "GET") {
          const grade = intParam(url, "grade", 0, 32767, null);
          if (grade === null) {
            throw new BadInput("grade", "required: the grade whose words to list");
          }
          const rows =
            await tx`select * from audio.segment_states(${grade}::smallint, ${voice}, ${model}, ${format})`;
          const words = new Map<
            string,
            { id: string; word: string; grade: number; segments: Record<string, unknown> }
          >();
          for (const r of rows) {
            let w = words.get(r.word_id);
            if (!w) {
              words.set(
                r.word_id,
                w = { id: r.word_id, word: r.word, grade: r.grade, segments: {} },
              );
            }
            w.segments[r.kind] = {
              state: r.state,
              text: r.text,
              ...(r.storage_path ? { storagePath: r.storage_path } : {}),
              ...(r.error ? { error: r.error } : {}),
            };
          }
          return json({ words: [...words.values()] });
        }
        if (parts[0] === "batches" && parts.length === 1 && req.method === "GET") {
          const limit = pageParam(url, "limit", BATCH_LIST);
          const rows = await tx`select ${
            tx.unsafe(BATCH_COLUMNS)
          } from public.audio_batches order by created_at desc limit ${limit}`;
          return json({ batches: rows });
        }
        if (parts[0] === "batches" && parts.length >= 2) {
          const id = parts[1];
          if (!UUID.test(id)) throw new BadInput("batchId", "not a uuid");
          const [batch] = await tx`select ${
            tx.unsafe(BATCH_COLUMNS)
          } from public.audio_batches where id = ${id}::uuid`;
          if (!batch) {
            return errorResponse(404, "not_found", "no batch with that id", [{
              field: "batchId",
              message: "no such batch",
            }]);
          }
          if (parts.length === 2 && req.method === "GET") return json({ batch });
          if (parts[2] === "segments" && parts.length === 3 && req.method === "GET") {
            const status = url.searchParams.get("status");
            if (status && !SEGMENT_STATUSES.includes(status)) {
              throw new BadInput("status", `must be one of ${SEGMENT_STATUSES.join(", ")}`);
            }
            const after = intParam(url, "after", 0, Number.MAX_SAFE_INTEGER, 0)!;
            const limit = pageParam(url, "limit", SEGMENT_PAGE);
            const rows = await tx`
              select id, batch_id, word_id, kind, text, status, attempts, last_error, storage_path,
                updated_at::text as updated_at
              from public.audio_segments
              where batch_id = ${id}::uuid and id > ${after} ${
              status ? tx`and status = ${status}` : tx``
            }
              order by id limit ${limit}`;
            return json({ segments: rows });
          }
          if (parts[2] === "retry" && parts.length === 3 && req.method === "POST") {
            const [r] = await tx`select audio.retry_failed(${id}::uuid) as requeued`;
            return json({ batchId: id, requeued: Number(r.requeued) });
          }
        }
        if (route === "audio-url" && req.method === "POST") {
          const parsed = audioUrlBody.safeParse(body);
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
          return json({ url: await app.signedUrl(row.storage_path, AUDIO_URL_TTL_S) });
        }
        return errorResponse(404, "not_found", `no route ${req.method} /admin-api/${route}`);
      });
      if (route.endsWith("/retry") && result.status === 200) await app.kickWorker("retry");
      return result;
    } catch (err) {
      if (err instanceof NotAdmin) return forbidden();
      if (err instanceof BadInput) {
        return errorResponse(400, "invalid_request", err.message, [{
          field: err.field,
          message: err.message,
        }]);
      }
      const pgCode = (err as { code?: string }).code;
      if (pgCode === "55000") return errorResponse(409, "conflict", (err as Error).message);
      app.platform.log("admin-api failed", {
        route,
        error: err instanceof Error ? err.message : String(err),
      });
      return errorResponse(500, "internal", "the request failed; see the function logs");
    }
  };
}
