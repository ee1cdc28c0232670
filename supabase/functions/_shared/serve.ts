// Deno.serve for a function: settings validated and the app built once at start. Whatever goes
// wrong — bad settings, a database URL postgres.js cannot parse, a handler that throws — the
// caller gets the same generic 500 (nothing in it can hold a secret: an error text may quote the
// database URL with its password) and the log gets the detail once, redacted (redact.ts).
import { type App, createApp } from "./app.ts";
import { internalError } from "./http.ts";
import { edgePlatform, type Platform } from "./platform.ts";
import { redactFields, redactorForEnv } from "./redact.ts";
import { loadSettings, SettingsError } from "./settings.ts";

type Handler = (req: Request) => Promise<Response>;

// buildHandler: the request handler of a function, or one that answers every request with
// internalError() when the function could not start (logged once, here).
export function buildHandler(makeHandler: (app: App) => Handler, platform: Platform): Handler {
  const redact = redactorForEnv(platform.env);
  const logError = (event: string, message: string, error: string | string[]) =>
    platform.log(
      redact(message),
      redactFields({ level: "error", event, error }, redact) as Record<string, unknown>,
    );
  let handler: Handler;
  try {
    handler = makeHandler(createApp(loadSettings(platform.env), platform));
  } catch (err) {
    const detail = err instanceof SettingsError ? err.problems : [errorText(err)];
    logError("startup_failed", "the function could not start (see .env.example)", detail);
    return () => Promise.resolve(internalError());
  }
  return async (req) => {
    try {
      return await handler(req);
    } catch (err) {
      logError("unexpected_error", "the function failed on a request", errorText(err));
      return internalError();
    }
  };
}

export function serveFunction(makeHandler: (app: App) => Handler): void {
  const platform = edgePlatform();
  Deno.serve(buildHandler(makeHandler, platform));
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
