// The page's settings: window.AQ_CONFIG from /admin/config.js, which the host serves next to the
// page (the local gateway, or the team's hosting). Only public values belong there: the project
// URL and the anon key. Nothing secret is ever built into the bundle.

export interface PageConfig {
  supabaseUrl: string;
  anonKey: string;
  /** Show "Use dev admin token" sign-in; default: only when supabaseUrl is on this machine. */
  devSignIn: boolean;
}

declare global {
  // Set by /admin/config.js before the bundle runs.
  var AQ_CONFIG: { supabaseUrl?: unknown; anonKey?: unknown; devSignIn?: unknown } | undefined;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The config, or the list of problems, each naming the setting and the fix. */
export function readConfig(): { ok: true; config: PageConfig } | {
  ok: false;
  problems: string[];
} {
  const raw = globalThis.AQ_CONFIG;
  if (!raw) {
    return {
      ok: false,
      problems: [
        "window.AQ_CONFIG is not set: /admin/config.js must define window.AQ_CONFIG = { supabaseUrl, anonKey }",
      ],
    };
  }
  const problems: string[] = [];
  let url: URL | null = null;
  if (typeof raw.supabaseUrl !== "string") {
    problems.push(
      "AQ_CONFIG.supabaseUrl: missing; set it to the project URL (https://<ref>.supabase.co)",
    );
  } else {
    try {
      url = new URL(raw.supabaseUrl);
    } catch {
      problems.push(
        `AQ_CONFIG.supabaseUrl: ${JSON.stringify(raw.supabaseUrl)} is not a URL`,
      );
    }
  }
  if (typeof raw.anonKey !== "string" || raw.anonKey === "") {
    problems.push(
      "AQ_CONFIG.anonKey: missing; set it to the project's anon (publishable) key",
    );
  }
  if (raw.devSignIn !== undefined && typeof raw.devSignIn !== "boolean") {
    problems.push("AQ_CONFIG.devSignIn: must be true or false (or left out)");
  }
  if (problems.length > 0 || !url) return { ok: false, problems };
  return {
    ok: true,
    config: {
      supabaseUrl: url.toString().replace(/\/+$/, ""),
      anonKey: raw.anonKey as string,
      devSignIn: typeof raw.devSignIn === "boolean" ? raw.devSignIn : LOOPBACK.has(url.hostname),
    },
  };
}
