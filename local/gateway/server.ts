// The local Supabase gateway: one Deno server on 127.0.0.1 with Supabase's URL layout —
// `/functions/v1/<name>` (Edge Functions, with the platform's JWT check where verify_jwt is on),
// `/auth/v1/.well-known/jwks.json` and `/auth/v1/user` (auth.ts), `/storage/v1/...` (the Storage
// API subset storage-js uses) and `/realtime/v1/...` (501 until a Realtime stand-in is plugged
// in through opts.realtime). Everything else is a 404 JSON.
import { isAbsolute } from "node:path";
import { routeAuth } from "./auth.ts";
import { type EdgeFunction, routeFunction } from "./functions.ts";
import { json, preflight, redact } from "./http.ts";
import { type ProjectKeys, secretsOf } from "./keyring.ts";
import { blobStore } from "./storage/blobs.ts";
import { fileIndex } from "./storage/index_files.ts";
import { pgIndex } from "./storage/index_pg.ts";
import { routeStorage } from "./storage/routes.ts";
import type { StorageContext } from "./storage/context.ts";
import type { StorageFaults } from "./storage/faults.ts";
import type { ObjectIndex } from "./storage/types.ts";

export type { EdgeFunction } from "./functions.ts";
export { type StorageFaults, storageFaults } from "./storage/faults.ts";

export interface GatewayOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** The project's keys (keyring.ts): the legacy JWT secret (32+ characters), the signing key
   * of user tokens and the new API keys. */
  keys: ProjectKeys;
  /** Folder of the object bytes: <storageRoot>/<bucket>/<path>. Created if missing. */
  storageRoot: string;
  /** Postgres URL: buckets from storage.buckets, a storage.objects row per object. */
  dbUrl?: string;
  /** Deployed functions by name. */
  functions: Record<string, EdgeFunction>;
  /** Without dbUrl: bucket ids (folders of storageRoot) that are public. Ignored with dbUrl. */
  publicBuckets?: readonly string[];
  /** Handler for `/realtime/v1/...`; without it those paths answer 501. */
  realtime?: (req: Request) => Response | Promise<Response>;
  /** Any other path (e.g. the admin page's files); null falls through to the 404. */
  site?: (req: Request) => Response | null | Promise<Response | null>;
  /** Storage fault injection (storage/faults.ts): 500s and stalled requests on demand. */
  storageFaults?: StorageFaults;
  /** Where failures are reported (default: console.error); lines never carry a JWT or secret. */
  log?: (line: string) => void;
}

export interface Gateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_PORT = 65535;

function checkOptions(opts: GatewayOptions): void {
  if (
    opts.port !== undefined &&
    (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > MAX_PORT)
  ) {
    throw new Error(`startGateway: port must be an integer 0..${MAX_PORT} (0 picks a free port)`);
  }
  if (typeof opts.storageRoot !== "string" || !isAbsolute(opts.storageRoot)) {
    throw new Error(
      "startGateway: storageRoot must be an absolute folder path (e.g. <repo>/.local/storage)",
    );
  }
  if (typeof opts.functions !== "object" || opts.functions === null) {
    throw new Error(
      "startGateway: functions must be an object { name: { handler, verifyJwt } } ({} for none)",
    );
  }
  for (const [name, fn] of Object.entries(opts.functions)) {
    if (typeof fn?.handler !== "function" || typeof fn.verifyJwt !== "boolean") {
      throw new Error(
        `startGateway: functions.${name} must be { handler: (req) => Response, verifyJwt: boolean }`,
      );
    }
  }
}

/** Starts the gateway; resolves once it is listening. */
export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  checkOptions(opts);
  const log = opts.log ?? ((line: string) => console.error(line));
  const safeLog = (line: string) => log(redact(line, secretsOf(opts.keys)));
  // Fail on a bad secret now rather than on the first request.
  if (typeof opts.keys?.jwtSecret !== "string" || opts.keys.jwtSecret.length < 32) {
    throw new Error(
      "startGateway: keys.jwtSecret must be at least 32 characters (see keyring.ts newProjectKeys())",
    );
  }
  await Deno.mkdir(opts.storageRoot, { recursive: true });
  const index: ObjectIndex = opts.dbUrl
    ? await pgIndex(opts.dbUrl)
    : fileIndex({ storageRoot: opts.storageRoot, publicBuckets: opts.publicBuckets ?? [] });
  const storage: StorageContext = {
    keys: opts.keys,
    index,
    blobs: blobStore(opts.storageRoot),
    log: safeLog,
  };

  const handle = async (req: Request): Promise<Response> => {
    const path = new URL(req.url).pathname;
    if (path.startsWith("/functions/v1/")) {
      return await routeFunction(req, path.slice("/functions/v1/".length), {
        keys: opts.keys,
        functions: opts.functions,
        log: safeLog,
      });
    }
    if (path.startsWith("/auth/v1/")) {
      return await routeAuth(req, path.slice("/auth/v1/".length), opts.keys);
    }
    if (path.startsWith("/storage/v1/")) {
      const injected = await opts.storageFaults?.gate(req);
      if (injected) return injected;
      return await routeStorage(req, path.slice("/storage/v1/".length), storage);
    }
    if (path === "/realtime/v1" || path.startsWith("/realtime/v1/")) {
      if (opts.realtime) return await opts.realtime(req);
      return json(501, { code: 501, message: "Realtime is not served by the local gateway yet" });
    }
    if (opts.site) {
      const res = await opts.site(req);
      if (res) return res;
    }
    if (req.method === "OPTIONS") return preflight();
    return json(404, {
      code: 404,
      message:
        "No route: the local gateway serves /functions/v1, /auth/v1, /storage/v1 and /realtime/v1",
    });
  };

  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: "127.0.0.1",
      port: opts.port ?? 0,
      onListen: () => {},
      onError: (err) => {
        safeLog(
          `gateway request failed: ${
            err instanceof Error ? (err.stack ?? err.message) : String(err)
          }`,
        );
        return json(500, { code: 500, message: "Internal gateway error; see the gateway log" });
      },
    }, handle);
  } catch (err) {
    await index.close();
    throw err;
  }
  const port = server.addr.port;
  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close() {
      closing ??= (async () => {
        await server.shutdown();
        await server.finished;
        await index.close();
      })();
      return closing;
    },
  };
}
