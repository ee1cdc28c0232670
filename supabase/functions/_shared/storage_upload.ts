// The worker's upload of a clip to Storage: one POST of the bytes to
// `/storage/v1/object/<bucket>/<path>`, the request storage-js's `upload` sends for a byte body
// (`x-upsert`, `cache-control`, the content type, the key as `apikey` and bearer token). It is
// sent here directly because supabase-js's fetch wrapper reads the auth session before every
// request: in a CPU profile of the worker at C = 15, that wrapper and the upload under it were
// about a tenth of the worker's JavaScript time. The request and the error texts are storage-js's.
import type { Platform } from "./platform.ts";
import { errorText } from "./worker/events.ts";

/** The cache lifetime storage-js asks for when none is given (seconds); clips never change
 * under a path (content-addressed), so they may be cached at least this long. */
const CACHE_CONTROL_S = 3600;

/** Stores the clip. Once it resolves, the bytes may be overwritten (their buffer is read into
 * again, app.ts): the caller reads nothing of them afterwards. */
export type Upload = (path: string, bytes: Uint8Array, contentType: string) => Promise<void>;

export function storageUploader(opts: {
  supabaseUrl: string;
  key: string;
  bucket: string;
  // A fetch with its own timeout (app.ts's timedFetch): its error text is kept.
  fetch: Platform["fetch"];
}): Upload {
  const base = `${opts.supabaseUrl.replace(/\/+$/, "")}/storage/v1/object/${opts.bucket}/`;
  const fixed = {
    apikey: opts.key,
    authorization: `Bearer ${opts.key}`,
    "x-upsert": "true",
    "cache-control": `max-age=${CACHE_CONTROL_S}`,
  };
  return async (path, bytes, contentType) => {
    // As storage-js writes it: no leading or trailing slash, no empty folders.
    const clean = path.replace(/^\/|\/$/g, "").replace(/\/+/g, "/");
    let res: Response;
    try {
      res = await opts.fetch(base + clean, {
        method: "POST",
        headers: { ...fixed, "content-type": contentType },
        // The clip's bytes are never a SharedArrayBuffer's (they come from a fetch).
        body: bytes as Uint8Array<ArrayBuffer>,
      });
    } catch (err) {
      throw new Error(`Storage upload of ${path} failed: ${errorText(err)}`);
    }
    if (res.ok) {
      // Read to its end (a few bytes of JSON), not cancelled: only a response read to the end
      // leaves its connection to the pool, and a cancelled one cost every upload a new connection
      // (over HTTPS, a new TLS handshake).
      await res.arrayBuffer();
      return;
    }
    throw new Error(`Storage upload of ${path} failed: ${await answerText(res)}`);
  };
}

// An error answer's message as storage-js reads it: the JSON's msg, message, error_description
// or error, else the status text.
async function answerText(res: Response): Promise<string> {
  const body = await res.json().catch(() => undefined);
  if (body !== null && typeof body === "object") {
    const e = body as Record<string, unknown>;
    for (const key of ["msg", "message", "error_description"]) {
      if (typeof e[key] === "string") return e[key] as string;
    }
    if (typeof e.error === "string") return e.error;
    const nested = (e.error as { message?: unknown } | undefined)?.message;
    if (typeof nested === "string") return nested;
    return JSON.stringify(body);
  }
  return res.statusText || `HTTP ${res.status} error`;
}
