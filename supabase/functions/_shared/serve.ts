// Deno.serve for a function: settings validated once at start; if they are bad, every request
// answers 500 naming the bad settings (never their values) and the log says the same.
import { type App, createApp } from "./app.ts";
import { errorResponse } from "./http.ts";
import { edgePlatform } from "./platform.ts";
import { loadSettings, SettingsError } from "./settings.ts";

export function serveFunction(
  makeHandler: (app: App) => (req: Request) => Promise<Response>,
): void {
  const platform = edgePlatform();
  let handler: (req: Request) => Promise<Response>;
  try {
    handler = makeHandler(createApp(loadSettings(platform.env), platform));
  } catch (err) {
    const problems = err instanceof SettingsError ? err.problems : [String(err)];
    console.error(`function settings are invalid:\n  ${problems.join("\n  ")}`);
    handler = () =>
      Promise.resolve(
        errorResponse(
          500,
          "misconfigured",
          "the function's settings are invalid; see .env.example",
          problems.map((p) => ({
            field: p.split(":")[0],
            message: p.slice(p.indexOf(":") + 1).trim(),
          })),
        ),
      );
  }
  Deno.serve(handler);
}
