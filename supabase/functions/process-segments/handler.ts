// POST /functions/v1/process-segments — called by start-batch, pg_cron (via pg_net) and itself,
// with the worker secret in x-worker-secret. Answers 202 at once and works in the background
// until the queue is empty or its time or CPU budget is spent; then, if work is left, invokes
// itself. On the runtime's shutdown notice (beforeunload) the run stops at once, hands back what
// it holds and, with work left, invokes its successor (worker/shutdown.ts).
// Each retry, failure and unexpected error of the run is one log line (worker/event_log.ts).
// { "wait": true } runs in the foreground and answers with the run's report (scripts, tests).
import type { App } from "../_shared/app.ts";
import { hasWorkerSecret } from "../_shared/auth.ts";
import { errorResponse, json } from "../_shared/http.ts";
import { eventLogger } from "../_shared/worker/event_log.ts";
import { newHolder, startWorker } from "../_shared/worker/run.ts";
import type { WorkerReport } from "../_shared/worker/pool.ts";
import { ShutdownNotice, successorNeeded } from "../_shared/worker/shutdown.ts";

export function createProcessSegmentsHandler(app: App): (req: Request) => Promise<Response> {
  const notice = new ShutdownNotice(app.platform.onShutdown);
  const run = async (holder: string): Promise<WorkerReport> => {
    // Retries, failures and unexpected errors: one log line each (event_log.ts).
    const onEvent = eventLogger(
      ({ message, ...fields }) => app.platform.log(message, fields),
      true,
    );
    const tracked = notice.track();
    try {
      const report = await startWorker(app, {
        holder,
        onEvent,
        // An Edge Function's CPU limit: the run hands over before it (worker/pool.ts).
        config: {
          cpuBudgetMs: app.settings.AUDIO_WORKER_CPU_BUDGET_MS,
          stopSignal: tracked.signal,
        },
      });
      app.platform.log("worker run finished", { holder, ...report, shutdown: notice.given });
      if (successorNeeded(report, tracked.signal.aborted)) await app.kickWorker("self");
      return report;
    } finally {
      tracked.done();
    }
  };

  return async (req) => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "use POST");
    if (!hasWorkerSecret(req, app.settings.AUDIO_WORKER_SECRET)) {
      return errorResponse(
        401,
        "unauthorized",
        "process-segments takes the worker secret in x-worker-secret",
        [
          {
            field: "x-worker-secret",
            message: req.headers.has("x-worker-secret") ? "wrong secret" : "missing",
          },
        ],
      );
    }
    let wait = false;
    const text = await req.text();
    if (text.trim() !== "") {
      try {
        const body = JSON.parse(text);
        wait = body?.wait === true;
      } catch {
        return errorResponse(400, "invalid_json", "request body is not valid JSON", [{
          field: "body",
          message: "not valid JSON",
        }]);
      }
    }
    const holder = newHolder("edge");
    if (wait) return json({ holder, report: await run(holder) });
    app.platform.waitUntil(run(holder));
    return json({ accepted: true, holder }, 202);
  };
}
