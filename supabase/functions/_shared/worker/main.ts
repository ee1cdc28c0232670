// The long-lived worker program (scripts/worker runs it): settings from the environment
// (.env.example), the loop of long_lived.ts, SIGTERM/SIGINT to stop (it hands back what it
// claimed, leaves, and prints its totals, peak memory and CPU time). --once stops when the queue is empty;
// --quiet prints only the start and stop lines.
import process from "node:process";
import { abortableSleep } from "../abort.ts";
import { createApp } from "../app.ts";
import { edgePlatform } from "../platform.ts";
import { redactorForEnv } from "../redact.ts";
import { loadSettings, SettingsError } from "../settings.ts";
import { runLongLived } from "./long_lived.ts";
import { newHolder, startWorker } from "./run.ts";

async function main(args: string[]): Promise<void> {
  const once = args.includes("--once");
  const quiet = args.includes("--quiet");
  let settings, app;
  try {
    settings = loadSettings(Deno.env.toObject());
    app = createApp(settings, edgePlatform());
  } catch (err) {
    // Redacted: an error text can quote a setting's value (the database URL and its password).
    const redact = redactorForEnv(Deno.env.toObject());
    console.error(redact(err instanceof SettingsError ? err.message : String(err)));
    Deno.exit(2);
  }
  const stop = new AbortController();
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(sig, () => stop.abort());
  }
  const holder = newHolder("worker");
  // CPU is counted from here: the start-up (loading the modules, connecting) is not the work's.
  const cpuAtStart = cpuMs();
  // The app's log: one JSON line each, secrets redacted (app.ts).
  const log = ({ message, ...fields }: Record<string, unknown>) =>
    app.platform.log(String(message), fields);
  const totals = await runLongLived({
    run: (config, onEvent) => startWorker(app, { holder, config, onEvent }),
    listen: (channel, onNotify) => app.sql.listen(channel, onNotify),
    sleep: abortableSleep,
    log,
    warn: (text) => app.platform.log(text, { level: "warn", event: "worker_warning" }),
  }, {
    holder,
    once,
    quiet,
    budgetS: settings.AUDIO_WORKER_BUDGET_S,
    concurrency: settings.AUDIO_GENERATION_CONCURRENCY,
    stop: stop.signal,
  });
  await app.sql`select audio.worker_stopped(${holder})`.catch(() => {});
  await app.close();
  log({
    message: "worker stopped",
    holder,
    ...totals,
    peakRssBytes: peakRssBytes(),
    cpuMs: cpuMs() - cpuAtStart,
  });
}

// cpuMs: the CPU time this process has used so far, user and system (ms). node:process's
// cpuUsage, which Deno and Supabase's edge runtime both provide.
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

// peakRssBytes: the process's high-water resident memory (Linux VmHWM), or current RSS elsewhere.
function peakRssBytes(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(Deno.readTextFileSync("/proc/self/status"));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return Deno.memoryUsage().rss;
}

if (import.meta.main) await main(Deno.args);
