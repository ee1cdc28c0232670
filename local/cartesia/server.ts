// The Cartesia stand-in server: the real POST /tts/bytes shape (see protocol.ts) on 127.0.0.1,
// per-key plan concurrency limits, a latency model, fault injection and real audio, plus local
// control routes that need no key:
//   GET  /__standin/stats   the counters as JSON       POST /__standin/reset   clears them
//   GET  /__standin/config  the fault settings         POST /__standin/config  patch them (JSON)
//   GET  /__standin/plan    every key's plan           POST /__standin/plan    change one key's
//        plan or the slots another client holds: { "key", "plan"?, "otherClient"? }

import { z } from "zod";
import { DEFAULT_FAULTS, type FaultAndLatency, parseFaultPatch } from "./faults.ts";
import { type Plan, Plans, type PlanState } from "./plans.ts";
import { PLAN_LIMITS, type PlanName } from "./protocol.ts";
import { RenderedAudio } from "./render.ts";
import { type StandinStats, StatsTracker } from "./stats.ts";
import { handleTts } from "./tts_handler.ts";
import { seededDraws } from "./seeded_random.ts";

export type { FaultAndLatency } from "./faults.ts";
export type { PlanName } from "./protocol.ts";
export type { Plan, PlanState } from "./plans.ts";
export { okKey } from "./stats.ts";
export type { StandinStats } from "./stats.ts";

export interface CartesiaStandinOptions extends Partial<FaultAndLatency> {
  /** API key → plan name (free 2, pro 3, startup 5, scale 15) or a concurrency number. */
  keys: Record<string, PlanName | number>;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Drives the latency model and fault draws; default Math.random, or the seeded draws. */
  random?: () => number;
  /** Makes the fault and latency draws the same on every run: the n-th request for a voice and
   * transcript always draws the same (see seeded_random.ts). Ignored when `random` is given. */
  seed?: number;
  /** Clock for request start times and the 429 storm window; default Date.now. */
  now?: () => number;
  /** The lame binary for mp3 (default "lame" on PATH); null switches mp3 off. */
  lameCommand?: string | null;
}

export interface CartesiaStandin {
  url: string;
  port: number;
  stats(): StandinStats;
  resetStats(): void;
  configure(patch: Partial<FaultAndLatency>): void;
  /** The rendered-audio cache: answers taken from it, answers rendered, bytes held. */
  rendered(): { hits: number; renders: number; bytes: number };
  /** Changes a key's plan (a name or a concurrency) or the slots another client holds on it. */
  setPlan(key: string, patch: { plan?: Plan; otherClient?: number }): PlanState;
  close(): Promise<void>;
}

/** The current fault settings plus when an open 429 storm ends (ms since epoch, 0 = none). */
export type StandinConfig = FaultAndLatency & { stormUntil: number };

const keysSchema = z.record(
  z.string().min(1),
  z.union([z.enum(Object.keys(PLAN_LIMITS) as [PlanName, ...PlanName[]]), z.number().int().min(1)]),
);

/** Starts the stand-in; throws, naming the option, when an option is invalid. */
export async function startCartesiaStandin(
  opts: CartesiaStandinOptions,
): Promise<CartesiaStandin> {
  const { keys, port = 0, seed, random: given, now = Date.now, lameCommand = "lame", ...rest } =
    opts;
  const seeded = given === undefined && seed !== undefined ? seededDraws(seed) : null;
  const random = given ?? Math.random;
  const drawsFor = (voiceId: string, transcript: string) =>
    seeded ? seeded.next(`${voiceId}|${transcript}`) : random;
  const parsedKeys = keysSchema.safeParse(keys);
  if (!parsedKeys.success || Object.keys(keys).length === 0) {
    throw new Error(
      'startCartesiaStandin: keys must map each API key to a plan (free, pro, startup, scale) or a concurrency ≥ 1, e.g. { "dev-key": "pro" }',
    );
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`startCartesiaStandin: port must be an integer 0–65535 (0 = any), got ${port}`);
  }
  const plans = new Plans(keys);
  let faults: FaultAndLatency = {
    ...DEFAULT_FAULTS,
    ...parseFaultPatch(rest, "startCartesiaStandin"),
  };
  let stormUntil = faults.storm429Ms > 0 ? now() + faults.storm429Ms : 0;
  const configure = (patch: Partial<FaultAndLatency>, where = "configure") => {
    const parsed = parseFaultPatch(patch, where);
    faults = { ...faults, ...parsed };
    if (parsed.storm429Ms !== undefined) stormUntil = now() + parsed.storm429Ms;
  };
  const config = (): StandinConfig => ({ ...faults, stormUntil });

  const stats = new StatsTracker();
  const closing = new AbortController();
  const rendered = new RenderedAudio();
  const ctx = {
    plans,
    stats,
    faults: () => faults,
    stormActive: () => now() < stormUntil,
    drawsFor,
    now,
    lameCommand,
    rendered,
    closing: closing.signal,
  };

  const handler = async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    if (pathname === "/tts/bytes") {
      if (request.method !== "POST") return methodNotAllowed("POST");
      return await handleTts(request, ctx);
    }
    if (pathname === "/__standin/stats") {
      if (request.method !== "GET") return methodNotAllowed("GET");
      return Response.json(stats.snapshot());
    }
    if (pathname === "/__standin/reset") {
      if (request.method !== "POST") return methodNotAllowed("POST");
      stats.reset();
      return Response.json({ reset: true });
    }
    if (pathname === "/__standin/plan") return await planRoute(request, plans);
    if (pathname === "/__standin/config") {
      if (request.method === "GET") return Response.json(config());
      if (request.method !== "POST") return methodNotAllowed("GET, POST");
      try {
        configure(JSON.parse(await request.text()), "POST /__standin/config");
      } catch (err) {
        const message = err instanceof SyntaxError
          ? "POST /__standin/config: the body is not valid JSON"
          : (err as Error).message;
        return Response.json({ error: message }, { status: 400 });
      }
      return Response.json(config());
    }
    return Response.json({
      error_code: null,
      title: "Not found",
      message:
        `no route ${request.method} ${pathname} in the Cartesia stand-in (use POST /tts/bytes)`,
      request_id: crypto.randomUUID(),
    }, { status: 404 });
  };

  return await new Promise((resolve) => {
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port,
      onListen: ({ port: actual }) => {
        let closed: Promise<void> | undefined;
        resolve({
          url: `http://127.0.0.1:${actual}`,
          port: actual,
          stats: () => stats.snapshot(),
          resetStats: () => stats.reset(),
          configure: (patch) => configure(patch),
          rendered: () => ({
            hits: rendered.hits,
            renders: rendered.renders,
            bytes: rendered.bytes,
          }),
          setPlan: (key, patch) => plans.change(key, patch, "setPlan"),
          close: () => {
            closed ??= (async () => {
              closing.abort();
              await server.shutdown();
              await server.finished;
            })();
            return closed;
          },
        });
      },
      onError: (err) =>
        Response.json({
          error_code: null,
          title: "Internal server error",
          message: `stand-in failure: ${err instanceof Error ? err.message : String(err)}`,
          request_id: crypto.randomUUID(),
        }, { status: 500 }),
    }, handler);
  });
}

function methodNotAllowed(allow: string): Response {
  return Response.json(
    { error: `method not allowed here; use ${allow}` },
    { status: 405, headers: { allow } },
  );
}

const planPatch = z.strictObject({
  key: z.string().min(1),
  plan: z.union([z.enum(Object.keys(PLAN_LIMITS) as [PlanName, ...PlanName[]]), z.number()])
    .optional(),
  otherClient: z.number().optional(),
});

/** GET: every key's plan; POST { key, plan?, otherClient? }: change one, answer its new state. */
async function planRoute(request: Request, plans: Plans): Promise<Response> {
  if (request.method === "GET") return Response.json(plans.snapshot());
  if (request.method !== "POST") return methodNotAllowed("GET, POST");
  const where = "POST /__standin/plan";
  try {
    const parsed = planPatch.safeParse(JSON.parse(await request.text()));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${where}: ${issue.path.join(".") || "body"}: ${issue.message}`);
    }
    const { key, ...patch } = parsed.data;
    return Response.json(plans.change(key, patch, where));
  } catch (err) {
    const message = err instanceof SyntaxError
      ? `${where}: the body is not valid JSON`
      : (err as Error).message;
    return Response.json({ error: message }, { status: 400 });
  }
}
