// The project's Edge Functions as the local gateway serves them: each handler built from the
// same settings the deployed function reads, verify_jwt taken from supabase/config.toml.
import type { App } from "../../supabase/functions/_shared/app.ts";
import { createAdminApiHandler } from "../../supabase/functions/admin-api/handler.ts";
import { createCancelBatchHandler } from "../../supabase/functions/cancel-batch/handler.ts";
import { createProcessSegmentsHandler } from "../../supabase/functions/process-segments/handler.ts";
import { createStartBatchHandler } from "../../supabase/functions/start-batch/handler.ts";
import type { EdgeFunction } from "./server.ts";

const HANDLERS: Record<string, (app: App) => (req: Request) => Promise<Response>> = {
  "start-batch": createStartBatchHandler,
  "cancel-batch": createCancelBatchHandler,
  "process-segments": createProcessSegmentsHandler,
  "admin-api": createAdminApiHandler,
};

/** A `key = value` line of config.toml's [functions.<name>] section, the value as written (a
 * string keeps its quotes); undefined when the section or the key is not there. */
export function functionSetting(configToml: string, name: string, key: string): string | undefined {
  const section = new RegExp(
    `^\\[functions\\.${name.replace(/-/g, "\\-")}\\]\\s*$([\\s\\S]*?)(?=^\\[|$(?![\\s\\S]))`,
    "m",
  );
  const body = section.exec(configToml)?.[1] ?? "";
  return new RegExp(`^\\s*${key}\\s*=\\s*(.+?)\\s*$`, "m").exec(body)?.[1];
}

// verify_jwt of a function: Supabase verifies unless the section says false.
function verifyJwtFromConfig(configToml: string, name: string): boolean {
  return functionSetting(configToml, name, "verify_jwt") !== "false";
}

export function projectFunctions(app: App, configToml: string): Record<string, EdgeFunction> {
  return Object.fromEntries(
    Object.entries(HANDLERS).map((
      [name, make],
    ) => [name, { handler: make(app), verifyJwt: verifyJwtFromConfig(configToml, name) }]),
  );
}
