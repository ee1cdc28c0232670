// POST /functions/v1/cancel-batch { batchId } — the admin page's cancel button: the same
// audio.cancel_batch as in SQL. Answers { batchId, status }.
import { z } from "zod";
import { asAdmin, forbidden, NotAdmin, readAdminPost } from "../_shared/admin.ts";
import type { App } from "../_shared/app.ts";
import { errorResponse, internalError, json } from "../_shared/http.ts";

const cancelBody = z.strictObject({ batchId: z.guid({ error: "must be a batch id (uuid)" }) }, {
  error: "must be a JSON object",
});

export function createCancelBatchHandler(app: App): (req: Request) => Promise<Response> {
  return async (req) => {
    const r = await readAdminPost(req, cancelBody, app.verifyToken);
    if (!r.ok) return r.response;
    const { batchId } = r.body;
    try {
      const status = await asAdmin(app.sql, r.claims, async (tx) => {
        const [row] = await tx`select status from public.audio_batches where id = ${batchId}::uuid`;
        if (!row) return null;
        const [c] = await tx`select audio.cancel_batch(${batchId}::uuid) as status`;
        return String(c.status);
      });
      if (status === null) {
        return errorResponse(404, "not_found", "no batch with that id", [{
          field: "batchId",
          message: "no such batch",
        }]);
      }
      return json({ batchId, status });
    } catch (err) {
      if (err instanceof NotAdmin) return forbidden();
      app.platform.log("cancel-batch failed", {
        level: "error",
        event: "cancel_batch_failed",
        error: err instanceof Error ? err.message : String(err),
      });
      return internalError();
    }
  };
}
