// Everything a function needs, built once from validated settings: the database, Storage
// uploads, provider clients per (model, format), the HTTP kick of process-segments, and the
// verifier of users' access tokens (jwt.ts).
import type { SupabaseClient } from "@supabase/supabase-js";
import { formatKey, outputFormatFromSettings, parseFormatKey } from "./audio_format.ts";
import { DB_EXTRA_CONNECTIONS, KICK_TIMEOUT_MS, STORAGE_UPLOAD_TIMEOUT_MS } from "./config.ts";
import { createSql, type Sql } from "./db.ts";
import { createTokenVerifier, type TokenVerifier } from "./jwt.ts";
import type { Platform } from "./platform.ts";
import { createRedactor, redactFields, SECRET_SETTINGS } from "./redact.ts";
import { createCartesiaClient } from "./provider/cartesia.ts";
import { BodyBuffers } from "./provider/read_body.ts";
import type { CartesiaClient } from "./provider/types.ts";
import type { Settings } from "./settings.ts";
import { storageUploader, type Upload } from "./storage_upload.ts";

// The Storage bucket the app plays audio from (created by the storage migration).
const AUDIO_BUCKET = "word-audio";

export interface App {
  settings: Settings;
  platform: Platform;
  sql: Sql;
  defaultFormat: string;
  provider: (modelId: string, format: string) => CartesiaClient;
  upload: Upload;
  signedUrl: (path: string, expiresInS: number) => Promise<string>;
  kickWorker: (reason: string) => Promise<boolean>;
  verifyToken: TokenVerifier;
  close: () => Promise<void>;
}

export function createApp(settings: Settings, rawPlatform: Platform, sql?: Sql): App {
  const platform = redactedLog(rawPlatform, settings);
  // The answers' bodies are read into these and given back once uploaded: at most one per slot
  // and one per upload under way are in use at a time.
  const buffers = new BodyBuffers(2 * settings.AUDIO_GENERATION_CONCURRENCY);
  // One connection per slot, plus a few (DB_EXTRA_CONNECTIONS says why).
  const db = sql ??
    createSql(
      settings.SUPABASE_DB_URL,
      settings.AUDIO_GENERATION_CONCURRENCY + DB_EXTRA_CONNECTIONS,
    );
  return {
    settings,
    platform,
    sql: db,
    defaultFormat: formatKey(outputFormatFromSettings(settings)),
    provider: providerClients(settings, platform, buffers),
    ...storage(settings, platform, buffers),
    kickWorker: kicker(settings, platform),
    verifyToken: createTokenVerifier({
      supabaseUrl: settings.SUPABASE_URL,
      apiKey: settings.SUPABASE_SERVICE_ROLE_KEY,
      fetch: platform.fetch,
      now: platform.now,
    }),
    close: () => (sql ? Promise.resolve() : db.end({ timeout: 5 })),
  };
}

// The platform whose log masks the secret settings' values and every credential shape in each
// line (redact.ts): everything the functions and the worker log goes through it.
function redactedLog(platform: Platform, settings: Settings): Platform {
  const redact = createRedactor(SECRET_SETTINGS.map((name) => settings[name]));
  return {
    ...platform,
    log: (message, fields) =>
      platform.log(
        redact(message),
        fields && redactFields(fields, redact) as Record<string, unknown>,
      ),
  };
}

// A Cartesia client per (model, format), made on first use: segments carry their own.
function providerClients(
  settings: Settings,
  platform: Platform,
  bodyBuffers: BodyBuffers,
): App["provider"] {
  const clients = new Map<string, CartesiaClient>();
  return (modelId, format) => {
    const key = `${modelId}|${format}`;
    let client = clients.get(key);
    if (!client) {
      client = createCartesiaClient({
        baseUrl: settings.CARTESIA_BASE_URL,
        apiKey: settings.CARTESIA_API_KEY,
        version: settings.CARTESIA_VERSION,
        modelId,
        outputFormat: parseFormatKey(format),
        language: settings.CARTESIA_LANGUAGE,
        timeoutMs: settings.AUDIO_PROVIDER_TIMEOUT_MS,
        maxRetries: settings.AUDIO_MAX_RETRIES,
        backoffBaseMs: settings.AUDIO_BACKOFF_BASE_MS,
        maxBackoffMs: settings.AUDIO_MAX_BACKOFF_MS,
        fetch: platform.fetch,
        bodyBuffers,
      });
      clients.set(key, client);
    }
    return client;
  };
}

// Uploads (storage_upload.ts, the worker's one Storage call, without supabase-js) and signed URLs
// in the audio bucket, with the service role. Every Storage request goes through a fetch with a
// timeout of its own (storage-js takes no abort signal for an upload).
// A stored clip's buffer goes back to the provider's reads (`buffers`): Storage answered, so it
// has read the whole body and nothing reads those bytes again.
function storage(
  settings: Settings,
  platform: Platform,
  buffers: BodyBuffers,
): Pick<App, "upload" | "signedUrl"> {
  const fetch = timedFetch(platform.fetch, STORAGE_UPLOAD_TIMEOUT_MS);
  const upload = storageUploader({
    supabaseUrl: settings.SUPABASE_URL,
    key: settings.SUPABASE_SERVICE_ROLE_KEY,
    bucket: AUDIO_BUCKET,
    fetch,
  });
  // supabase-js is loaded on the first signed URL (admin-api's), never by a worker: its modules
  // cost a worker process about 9 MiB of memory for nothing it calls.
  let client: Promise<SupabaseClient> | undefined;
  const supabase = () =>
    client ??= import("@supabase/supabase-js").then(({ createClient }) =>
      createClient(settings.SUPABASE_URL, settings.SUPABASE_SERVICE_ROLE_KEY, {
        auth: { persistSession: false, autoRefreshToken: false },
        global: { fetch },
      })
    );
  return {
    upload: async (path, bytes, contentType) => {
      await upload(path, bytes, contentType);
      buffers.give(bytes.buffer);
    },
    signedUrl: async (path, expiresInS) => {
      const { data, error } = await (await supabase()).storage.from(AUDIO_BUCKET).createSignedUrl(
        path,
        expiresInS,
      );
      if (error || !data) throw new Error(`could not sign ${path}: ${error?.message ?? "no URL"}`);
      return data.signedUrl;
    },
  };
}

// The HTTP kick of process-segments; false (and a log line) when it was not accepted.
function kicker(settings: Settings, platform: Platform): App["kickWorker"] {
  return async (reason) => {
    try {
      const res = await platform.fetch(`${settings.SUPABASE_URL}/functions/v1/process-segments`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-worker-secret": settings.AUDIO_WORKER_SECRET,
        },
        body: JSON.stringify({ reason }),
        signal: AbortSignal.timeout(KICK_TIMEOUT_MS),
      });
      await res.body?.cancel();
      if (!res.ok) {
        platform.log("worker kick refused", {
          level: "warn",
          event: "kick_refused",
          status: res.status,
          reason,
        });
      }
      return res.ok;
    } catch (err) {
      platform.log("worker kick failed; the pg_cron watchdog will start it", {
        level: "warn",
        event: "kick_failed",
        reason,
        error: err instanceof Error ? err.message : String(err),
      });
      return false;
    }
  };
}

// A fetch that gives up after timeoutMs (besides the caller's own signal), failing with an error
// that says so: a Storage that does not answer costs one segment a retry, not a stuck worker.
export function timedFetch(fetch: Platform["fetch"], timeoutMs: number): Platform["fetch"] {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      return await fetch(input, { ...init, signal });
    } catch (err) {
      if (timeout.aborted && !init?.signal?.aborted) {
        throw new Error(`Storage did not answer within ${timeoutMs} ms`);
      }
      throw err;
    }
  };
}
