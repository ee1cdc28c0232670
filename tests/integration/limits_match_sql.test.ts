// The limits the TypeScript and the SQL both depend on are named on both sides — the config
// module and small SQL functions (supabase/migrations/*_limits.sql) — and must stay equal: a
// permit slot the SQL does not have, or a heartbeat the SQL already counts as stale, breaks the
// pipeline without any error on either side alone.
import assert from "node:assert/strict";
import {
  AUDIO_HISTORY_DAYS,
  CANCEL_CHANNEL,
  DEFAULT_MAX_READS,
  KICK_TIMEOUT_MS,
  MAX_CONCURRENCY,
  PERMIT_CHANNEL,
  WORK_CHANNEL,
  WORKER_STALE_S,
} from "../../supabase/functions/_shared/config.ts";
import { sql as connect, withTestDatabase } from "../helpers/pg.ts";

Deno.test("config.ts and the SQL name the same limits", async () => {
  await withTestDatabase(async (url) => {
    const sql = connect(url);
    try {
      const [row] = await sql`select audio.max_concurrency() as max_concurrency,
        audio.worker_stale_s() as worker_stale_s, audio.default_max_reads() as default_max_reads,
        audio.kick_timeout_ms() as kick_timeout_ms, audio.work_channel() as work_channel,
        audio.permit_channel() as permit_channel, audio.cancel_channel() as cancel_channel,
        audio.history_retention_days() as history_days,
        (select count(*)::int from audio.permits) as permit_slots`;
      assert.deepEqual({ ...row }, {
        max_concurrency: MAX_CONCURRENCY,
        worker_stale_s: WORKER_STALE_S,
        default_max_reads: DEFAULT_MAX_READS,
        kick_timeout_ms: KICK_TIMEOUT_MS,
        work_channel: WORK_CHANNEL,
        permit_channel: PERMIT_CHANNEL,
        cancel_channel: CANCEL_CHANNEL,
        permit_slots: MAX_CONCURRENCY,
        history_days: AUDIO_HISTORY_DAYS,
      });
    } finally {
      await sql.end();
    }
  });
});
