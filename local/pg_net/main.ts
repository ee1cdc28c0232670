// CLI for the pg_net stand-in dispatcher: sends the HTTP requests that net.http_post/http_get queue
// in the database at SUPABASE_DB_URL, until SIGTERM or SIGINT.
// Run: SUPABASE_DB_URL=postgresql://... deno run --allow-all local/pg_net/main.ts

import { startNetDispatcher } from "./dispatcher.ts";

function readDbUrl(): string {
  const value = Deno.env.get("SUPABASE_DB_URL");
  if (!value) {
    throw new Error(
      "SUPABASE_DB_URL is not set: set it to the database's URL, " +
        "e.g. postgresql://postgres:postgres@127.0.0.1:54322/postgres",
    );
  }
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    throw new Error("SUPABASE_DB_URL is not a URL: expected postgresql://user:pass@host:port/db");
  }
  if (protocol !== "postgres:" && protocol !== "postgresql:") {
    throw new Error(`SUPABASE_DB_URL must start with postgresql://, got ${protocol}//`);
  }
  return value;
}

async function main(): Promise<void> {
  const dispatcher = await startNetDispatcher({ dbUrl: readDbUrl() });
  const signals: Deno.Signal[] = ["SIGTERM", "SIGINT"];
  const { promise: stopRequested, resolve } = Promise.withResolvers<Deno.Signal>();
  const handlers = signals.map((signal) => {
    const handler = () => resolve(signal);
    Deno.addSignalListener(signal, handler);
    return () => Deno.removeSignalListener(signal, handler);
  });
  console.log("pg_net stand-in dispatcher ready: listening on audio_queue_pg_net");

  const signal = await stopRequested;
  handlers.forEach((remove) => remove());
  await dispatcher.stop();
  const { sent, failed } = dispatcher.stats();
  console.log(`pg_net stand-in dispatcher stopped (${signal}): ${sent} sent, ${failed} failed`);
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    console.error(`pg_net stand-in dispatcher: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
