// admin-api's provider-circuit routes: the circuit as the page shows it, and the admin's resume.
// Resume closes the circuit at once; the handler then kicks the worker, as start-batch does, so
// the queued segments start without waiting for the watchdog.
import type postgres from "postgres";
import { z } from "zod";
import { errorResponse, json } from "../_shared/http.ts";
import { fieldErrors } from "../_shared/validate.ts";

type Tx = postgres.TransactionSql;

// Resume takes no options: an empty body or an empty JSON object.
const resumeBody = z.strictObject({}, { error: "must be an empty JSON object" });

/** The circuit's public shape: state closed/open/half_open, and while not closed the reason, the
 * provider's own error and the times (Postgres text, like every timestamp admin-api sends). */
async function readCircuit(tx: Tx) {
  const [c] = await tx`
    select state, reason, provider_error as "providerError", opened_at::text as "openedAt",
      next_probe_at::text as "nextProbeAt"
    from audio.provider_circuit()`;
  return c;
}

export async function circuitRead(tx: Tx): Promise<Response> {
  return json({ circuit: await readCircuit(tx) });
}

/** POST /circuit/resume: closes the circuit; resumed says whether it was open. */
export async function circuitResume(tx: Tx, body: unknown, userId: string): Promise<Response> {
  const parsed = resumeBody.safeParse(body ?? {});
  if (!parsed.success) {
    return errorResponse(
      400,
      "invalid_request",
      "resume takes no options: send {} or nothing",
      fieldErrors(parsed.error),
    );
  }
  const [r] = await tx`select audio.close_circuit(${`admin:${userId}`}) as resumed`;
  return json({ resumed: r.resumed === true, circuit: await readCircuit(tx) });
}
