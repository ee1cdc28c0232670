// The database client. postgres.js over SUPABASE_DB_URL; prepare is off so the same code works
// through Supabase's transaction-mode pooler.
import postgres from "postgres";

export type Sql = postgres.Sql;

export function createSql(url: string, max = 4): Sql {
  return postgres(url, {
    max,
    prepare: false,
    idle_timeout: 20,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: "audio-queue" },
  });
}
