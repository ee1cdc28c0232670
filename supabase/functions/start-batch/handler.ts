// POST /functions/v1/start-batch — an admin asks for audio: which words (ids, a grade or all), which
// kinds, only missing/stale or all, optionally another voice. One transaction writes the batch,
// its segments and their queue messages; then the worker is kicked so the first audio does not
// wait for cron. Answers { batchId, total, queued, skipped, pending, kicked }. With dryRun: true
// the same request is checked the same way and answered with what the batch would be
// (estimate.ts), and nothing is written.
import { asAdmin, forbidden, NotAdmin, readAdminPost } from "../_shared/admin.ts";
import type { App } from "../_shared/app.ts";
import type { Claims } from "../_shared/auth.ts";
import { WORKER_FRESH_S } from "../_shared/config.ts";
import { errorResponse, internalError, json } from "../_shared/http.ts";
import { estimateBatch } from "./estimate.ts";
import { KINDS, type StartBatchBody, startBatchBody } from "./request.ts";

// Ids that name no word (1-based positions): nothing was written.
function unknownWords(positions: number[]): Response {
  return errorResponse(
    400,
    "unknown_words",
    "some word ids name no word",
    positions.map((p) => ({ field: `wordIds[${p - 1}]`, message: "no such word" })),
  );
}

// The dry run's answer: 200 with the estimate, or the same 400 a start gives for unknown ids.
async function estimateAnswer(
  app: App,
  claims: Claims,
  body: StartBatchBody,
  kinds: string[],
): Promise<Response> {
  const e = await asAdmin(app.sql, claims, (tx) =>
    estimateBatch(app, tx, {
      wordIds: body.wordIds ?? null,
      grade: body.grade ?? null,
      kinds,
      missingOnly: body.missingOnly,
      voiceId: body.voiceId ?? app.settings.CARTESIA_VOICE_ID,
    }));
  return e.ok ? json(e.estimate) : unknownWords(e.unknownPositions);
}

export function createStartBatchHandler(app: App): (req: Request) => Promise<Response> {
  const s = app.settings;
  return async (req) => {
    const r = await readAdminPost(req, startBatchBody, app.verifyToken);
    if (!r.ok) return r.response;
    const { claims, body } = r;
    const kinds = [...new Set(body.kinds ?? KINDS)];

    try {
      if (body.dryRun) return await estimateAnswer(app, claims, body, kinds);
      // Keep the database's defaults (used by the nightly backfill) equal to these settings.
      const defaults = {
        voice_id: s.CARTESIA_VOICE_ID,
        model_id: s.CARTESIA_MODEL_ID,
        format: app.defaultFormat,
      };
      const r = await asAdmin(app.sql, claims, async (tx) => {
        const [row] = await tx`
          select * from audio.create_batch(
            p_word_ids => ${body.wordIds ?? null}::uuid[],
            p_grade => ${body.grade ?? null}::smallint,
            p_kinds => ${kinds}::text[],
            p_missing_only => ${body.missingOnly},
            p_voice_id => ${body.voiceId ?? s.CARTESIA_VOICE_ID},
            p_model_id => ${s.CARTESIA_MODEL_ID},
            p_format => ${app.defaultFormat},
            p_source => 'admin',
            p_requested_by => ${typeof claims.sub === "string" ? claims.sub : null}::uuid,
            p_set_defaults => ${tx.json(defaults)}::jsonb)`;
        return row;
      });

      if (r.unknown_positions !== null) return unknownWords(r.unknown_positions as number[]);
      const out = {
        batchId: r.batch_id as string | null,
        total: Number(r.total),
        queued: Number(r.queued),
        skipped: Number(r.skipped),
        pending: Number(r.pending),
        kicked: false,
        ...(r.batch_id === null
          ? {
            message:
              "nothing to do: every requested segment already has current audio or is queued",
          }
          : {}),
      };
      // A live worker claims the new messages by itself; kicking would only add an invocation.
      if (out.queued > 0) {
        const [w] = await app.sql`select audio.worker_alive(${WORKER_FRESH_S}) as alive`;
        out.kicked = w.alive ? false : await app.kickWorker("start-batch");
      }
      return json(out, out.batchId ? 201 : 200);
    } catch (err) {
      if (err instanceof NotAdmin) return forbidden();
      app.platform.log("start-batch failed", {
        level: "error",
        event: "start_batch_failed",
        error: err instanceof Error ? err.message : String(err),
      });
      return internalError();
    }
  };
}
