// admin-api's GET /limit: the learned concurrency limit as the page shows it — the limit now
// against the configured ceiling (this function's AUDIO_GENERATION_CONCURRENCY), whether it is
// pinned, provider requests in flight, and the concurrency 429s of the last minute.
import type postgres from "postgres";
import type { App } from "../_shared/app.ts";
import { json } from "../_shared/http.ts";

type Tx = postgres.TransactionSql;

export async function limitRead(tx: Tx, app: App): Promise<Response> {
  const ceiling = app.settings.AUDIO_GENERATION_CONCURRENCY;
  const [l] = await tx`
    select effective as "limit", ceiling, pinned, in_flight as "inFlight",
      limited_last_minute as "limitedLastMinute", limited_at::text as "limitedAt",
      changed_at::text as "changedAt"
    from audio.concurrency_report(${ceiling}::integer)`;
  return json({ limit: l });
}
