// The database client. postgres.js over SUPABASE_DB_URL; prepare is off so the same code works
// through Supabase's transaction-mode pooler. Every session has a statement and a lock timeout
// (config.ts says why those values), so a hung statement or a lock never released ends in an
// error the caller handles instead of a worker stuck for good. They are sent as startup
// parameters: a pooler that drops those (transaction mode) leaves the database's own defaults.
import postgres from "postgres";
import {
  DB_CONNECT_TIMEOUT_S,
  DB_IDLE_TIMEOUT_S,
  DB_LOCK_TIMEOUT_MS,
  DB_STATEMENT_TIMEOUT_MS,
} from "./config.ts";

export type Sql = postgres.Sql;

export function createSql(url: string, max: number): Sql {
  return postgres(url, {
    max,
    prepare: false,
    idle_timeout: DB_IDLE_TIMEOUT_S,
    connect_timeout: DB_CONNECT_TIMEOUT_S,
    onnotice: () => {},
    connection: {
      application_name: "audio-queue",
      statement_timeout: DB_STATEMENT_TIMEOUT_MS,
      lock_timeout: DB_LOCK_TIMEOUT_MS,
    },
  });
}
