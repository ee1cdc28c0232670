// The database client. postgres.js over SUPABASE_DB_URL; prepare is off so the same code works
// through Supabase's transaction-mode pooler. A lost connection is retried within a second
// (DB_RECONNECT_MAX_S), so a Postgres restart costs little more than its own downtime. Every
// session has a statement and a lock timeout (config.ts says why those values), so a hung
// statement or a lock never released ends in an error the caller handles instead of a worker
// stuck for good. They are sent as startup parameters: a pooler that drops those (transaction
// mode) leaves the database's own defaults.
import postgres from "postgres";
import {
  DB_CONNECT_TIMEOUT_S,
  DB_IDLE_TIMEOUT_S,
  DB_LOCK_TIMEOUT_MS,
  DB_RECONNECT_FIRST_S,
  DB_RECONNECT_MAX_S,
  DB_STATEMENT_TIMEOUT_MS,
} from "./config.ts";

export type Sql = postgres.Sql;

export function createSql(url: string, max: number): Sql {
  return postgres(url, {
    max,
    prepare: false,
    idle_timeout: DB_IDLE_TIMEOUT_S,
    connect_timeout: DB_CONNECT_TIMEOUT_S,
    backoff: reconnectDelayS,
    onnotice: () => {},
    connection: {
      application_name: "audio-queue",
      statement_timeout: DB_STATEMENT_TIMEOUT_MS,
      lock_timeout: DB_LOCK_TIMEOUT_MS,
    },
  });
}

// Seconds before a reconnect after `retries` failed connects: doubling from DB_RECONNECT_FIRST_S,
// capped at DB_RECONNECT_MAX_S (config.ts says why), with jitter so connections spread out.
export function reconnectDelayS(retries: number): number {
  const cap = Math.min(DB_RECONNECT_FIRST_S * 2 ** retries, DB_RECONNECT_MAX_S);
  return cap * (0.5 + Math.random() / 2);
}

// Error codes of a database that cannot be reached right now (postgres.js's own, the socket's,
// and Postgres's: class 08 connection exceptions, 57P01-57P03 shutting down or starting up).
const UNREACHABLE = /^(CONNECTION_\w+|ECONN\w+|ETIMEDOUT|EPIPE|08\w{3}|57P0[123])$/;

/** Whether `err` says the database could not be reached (as opposed to refusing the statement):
 * the same call may succeed once it is back. */
export function isUnreachable(err: unknown): boolean {
  return codeMatches(err, UNREACHABLE);
}

// Postgres's codes for a statement it rolled back to end a conflict with another transaction:
// 40P01 deadlock detected, 40001 serialization failure.
const ROLLED_BACK_FOR_A_CONFLICT = /^(40P01|40001)$/;

/** Whether Postgres rolled the statement back to end a conflict with another transaction: nothing
 * of it was kept, and the same call may succeed when made again. */
export function isConflictRollback(err: unknown): boolean {
  return codeMatches(err, ROLLED_BACK_FOR_A_CONFLICT);
}

// Whether the error carries a string `code` (postgres.js's, the socket's or Postgres's) matching.
function codeMatches(err: unknown, codes: RegExp): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && codes.test(code);
}
