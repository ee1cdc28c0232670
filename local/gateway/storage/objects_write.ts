// Writing objects: `POST /object/<bucket>/<path>` (upload; x-upsert: true overwrites, otherwise
// an existing object is a 409) and `PUT` (update: overwrite or create). Bodies are either raw
// bytes (content-type and cache-control headers) or the multipart form storage-js sends for a
// Blob/File (a `cacheControl` field and the file). Service role only.
import { json } from "../http.ts";
import { authenticate, requireWrite } from "./access.ts";
import { storageErrors } from "./errors.ts";
import { boundaryOf, parseMultipart, readCapped } from "./multipart.ts";
import type { StorageContext } from "./context.ts";
import type { BucketRecord, ObjectMetadata } from "./types.ts";

// Supabase's default global upload limit (Free plan) is 50 MB; a bucket's own
// file_size_limit can lower it. TTS clips are tens of kilobytes.
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
// Room for multipart boundaries and the cacheControl field on top of the file itself.
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

interface Incoming {
  body: ReadableStream<Uint8Array> | null;
  mimetype: string;
  cacheControl: string;
}

async function incoming(req: Request, maxBytes: number): Promise<Incoming> {
  const contentType = req.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data/i.test(contentType)) {
    return {
      body: req.body,
      mimetype: contentType || "application/octet-stream",
      cacheControl: req.headers.get("cache-control") ?? "no-cache",
    };
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  const cap = maxBytes + MULTIPART_OVERHEAD_BYTES;
  if (declared > cap) throw storageErrors.entityTooLarge(maxBytes);
  const parts = parseMultipart(await readCapped(req.body, cap, maxBytes), boundaryOf(contentType));
  const file = parts.find((p) => p.filename !== null);
  if (!file) throw storageErrors.invalidRequest("The multipart body has no file part");
  const cacheControlField = parts.find((p) => p.name === "cacheControl" && p.filename === null);
  const cacheControl = cacheControlField ? new TextDecoder().decode(cacheControlField.data) : "";
  return {
    body: ReadableStream.from([file.data]),
    mimetype: file.contentType || "application/octet-stream",
    cacheControl: cacheControl !== "" ? `max-age=${cacheControl}` : "no-cache",
  };
}

function mimeAllowed(bucket: BucketRecord, mimetype: string): boolean {
  const allowed = bucket.allowed_mime_types;
  if (!allowed || allowed.length === 0) return true;
  const base = mimetype.split(";")[0].trim().toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.endsWith("/*") ? base.startsWith(p.slice(0, -1)) : base === p;
  });
}

/** Upload (POST, overwrite only with x-upsert: true) or update (PUT, always overwrite). */
export async function uploadObject(
  req: Request,
  ctx: StorageContext,
  bucketId: string,
  name: string,
): Promise<Response> {
  const caller = await authenticate(req, ctx.keys);
  requireWrite(caller);
  const bucket = await ctx.index.bucket(bucketId);
  if (!bucket) throw storageErrors.noSuchBucket();
  const upsert = req.method === "PUT" || req.headers.get("x-upsert") === "true";
  const maxBytes = Math.min(bucket.file_size_limit ?? MAX_UPLOAD_BYTES, MAX_UPLOAD_BYTES);

  const input = await incoming(req, maxBytes);
  if (!mimeAllowed(bucket, input.mimetype)) throw storageErrors.invalidMimeType(input.mimetype);
  await ctx.blobs.ensureBucketDir(bucketId);
  const received = await ctx.blobs.receive(input.body, maxBytes);
  const metadata: ObjectMetadata = {
    eTag: received.eTag,
    size: received.size,
    mimetype: input.mimetype,
    cacheControl: input.cacheControl,
    lastModified: new Date().toISOString(),
    contentLength: received.size,
    httpStatusCode: 200,
  };

  let id: string;
  if (upsert) {
    await ctx.blobs.place(received, bucketId, name);
    id = (await ctx.index.upsert(bucketId, name, metadata, caller.owner)).id;
  } else {
    // The row claims the name atomically; only the winner moves its bytes into place.
    const row = await ctx.index.insert(bucketId, name, metadata, caller.owner);
    if (!row) {
      await ctx.blobs.discard(received);
      throw storageErrors.duplicate();
    }
    try {
      await ctx.blobs.place(received, bucketId, name);
    } catch (err) {
      await ctx.index.remove(bucketId, [name]);
      throw err;
    }
    id = row.id;
  }
  return json(200, { Id: id, Key: `${bucketId}/${name}` });
}
