// The database client. postgres.js over SUPABASE_DB_URL; prepare is off so the same code works
// through Supabase's transaction-mode pooler.
import postgres from "postgres";
import { DB_CONNECT_TIMEOUT_S, DB_IDLE_TIMEOUT_S } from "./config.ts";

export type Sql = postgres.Sql;

export function createSql(url: string, max: number): Sql {
  return postgres(url, {
    max,
    prepare: false,
    idle_timeout: DB_IDLE_TIMEOUT_S,
    connect_timeout: DB_CONNECT_TIMEOUT_S,
    onnotice: () => {},
    connection: { application_name: "audio-queue" },
  });
}
