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
//   GET  /health?stalledMinutes=10    { health: audio.health() } — problems [] when all is well
//   GET  /circuit                     { circuit: { state, reason, providerError, openedAt, nextProbeAt } }
//   POST /circuit/resume [{}]         { resumed, circuit }: closes the provider circuit, kicks the worker
//   GET  /limit                       { limit: { limit, ceiling, pinned, inFlight, limitedLastMinute,
//                                     limitedAt, changedAt } }: the learned concurrency limit
import { asAdmin, forbidden, NotAdmin, requireClaims } from "../_shared/admin.ts";
import type { App } from "../_shared/app.ts";
import { errorResponse, internalError, json, preflight, readJson } from "../_shared/http.ts";
import { BadInput } from "./params.ts";
import { route as answer } from "./routes.ts";

export function createAdminApiHandler(app: App): (req: Request) => Promise<Response> {
  return async (req) => {
    const early = preflight(req);
    if (early) return early;
    const url = new URL(req.url);
    const route = url.pathname.replace(/^.*\/admin-api\/?/, "").replace(/\/$/, "");
    const parts = route.split("/");
    const who = await requireClaims(req, app.verifyToken);
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
      if (req.method === "POST" && route === "circuit/resume") {
        const raw = await readOptionalJson(req);
        if (!raw.ok) return raw.response;
        body = raw.value;
      }
      const result = await asAdmin(
        app.sql,
        who.claims,
        (tx) =>
          answer(tx, {
            method: req.method,
            url,
            route,
            parts,
            body,
            userId: String(who.claims.sub ?? ""),
            app,
          }),
      );
      if (route.endsWith("/retry") && result.status === 200) await app.kickWorker("retry");
      if (route === "circuit/resume" && result.status === 200) await app.kickWorker("resume");
      return result;
    } catch (err) {
      return failure(app, route, err);
    }
  };
}

// A body that may be left out (undefined then); when given it must be JSON.
async function readOptionalJson(
  req: Request,
): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  if (req.headers.get("content-length") === "0" || req.body === null) {
    return { ok: true, value: undefined };
  }
  const text = await req.clone().text();
  if (text.trim() === "") return { ok: true, value: undefined };
  return await readJson(req);
}

// The answer to a thrown error: 403 not an admin, 400 a bad parameter, 409 a refused state
// change (SQLSTATE 55000), else 500 with the details in the log only.
function failure(app: App, route: string, err: unknown): Response {
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
    level: "error",
    event: "admin_api_failed",
    route,
    error: err instanceof Error ? err.message : String(err),
  });
  return internalError();
}
