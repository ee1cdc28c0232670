// POST /functions/v1/cancel-batch { batchId } — the admin page's cancel button: the same
// audio.cancel_batch as in SQL. Answers { batchId, status }.
import { z } from "zod";
import { asAdmin, forbidden, NotAdmin, requireClaims } from "../_shared/admin.ts";
import type { App } from "../_shared/app.ts";
import { errorResponse, json, preflight, readJson } from "../_shared/http.ts";
import { fieldErrors } from "../_shared/validate.ts";

const cancelBody = z.strictObject({ batchId: z.guid({ error: "must be a batch id (uuid)" }) }, {
  error: "must be a JSON object",
});

export function createCancelBatchHandler(app: App): (req: Request) => Promise<Response> {
  return async (req) => {
    const early = preflight(req);
    if (early) return early;
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "use POST");
    const who = requireClaims(req);
    if (!who.ok) return who.response;
    const raw = await readJson(req);
    if (!raw.ok) return raw.response;
    const parsed = cancelBody.safeParse(raw.value);
    if (!parsed.success) return errorResponse(400, "invalid_request", "the request body is not valid", fieldErrors(parsed.error));
    try {
      const status = await asAdmin(app.sql, who.claims, async (tx) => {
        const [row] = await tx`select status from public.audio_batches where id = ${parsed.data.batchId}::uuid`;
        if (!row) return null;
        const [c] = await tx`select audio.cancel_batch(${parsed.data.batchId}::uuid) as status`;
        return String(c.status);
      });
      if (status === null) {
        return errorResponse(404, "not_found", "no batch with that id", [{ field: "batchId", message: "no such batch" }]);
      }
      return json({ batchId: parsed.data.batchId, status });
    } catch (err) {
      if (err instanceof NotAdmin) return forbidden();
      app.platform.log("cancel-batch failed", { error: err instanceof Error ? err.message : String(err) });
      return errorResponse(500, "internal", "could not cancel the batch; see the function logs");
    }
  };
}
