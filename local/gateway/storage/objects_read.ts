// Reading objects: the download routes (authenticated, public, signed) share serveObject, which
// answers with the stored Content-Type, Cache-Control and ETag, honours Range (206/416) and
// If-None-Match (304), and HEAD; plus `GET /object/info/...`.
import { CORS_HEADERS, json } from "../http.ts";
import { bucketForObjectRead, readableBucket } from "./access.ts";
import { storageErrors } from "./errors.ts";
import { fileSlice } from "./file_stream.ts";
import { parseRange } from "./range.ts";
import type { StorageContext } from "./context.ts";

/** Streams one object (access already checked by the caller of this function). */
export async function serveObject(
  req: Request,
  ctx: StorageContext,
  bucketId: string,
  name: string,
): Promise<Response> {
  const record = await ctx.index.get(bucketId, name);
  if (!record) throw storageErrors.noSuchKey();
  const blob = await ctx.blobs.open(bucketId, name);
  if (!blob) throw storageErrors.noSuchKey();

  const meta = record.metadata;
  const headers: Record<string, string> = {
    ...CORS_HEADERS,
    "content-type": meta.mimetype,
    "cache-control": meta.cacheControl,
    "etag": meta.eTag,
    "last-modified": new Date(record.updated_at).toUTCString(),
    "accept-ranges": "bytes",
  };
  const download = new URL(req.url).searchParams.get("download");
  if (download !== null) {
    const filename = download || name.split("/").pop() || "download";
    headers["content-disposition"] = `attachment; filename="${filename.replace(/["\\]/g, "_")}"`;
  }

  if (req.headers.get("if-none-match") === meta.eTag) {
    blob.file.close();
    return new Response(null, { status: 304, headers });
  }
  const range = parseRange(req.headers.get("range"), blob.size);
  if (range.kind === "unsatisfiable") {
    blob.file.close();
    const err = storageErrors.invalidRange().toResponse();
    err.headers.set("content-range", `bytes */${blob.size}`);
    return err;
  }
  const start = range.kind === "partial" ? range.start : 0;
  const end = range.kind === "partial" ? range.end : blob.size - 1;
  const length = Math.max(0, end - start + 1);
  headers["content-length"] = String(length);
  const status = range.kind === "partial" ? 206 : 200;
  if (range.kind === "partial") headers["content-range"] = `bytes ${start}-${end}/${blob.size}`;

  if (req.method === "HEAD") {
    blob.file.close();
    return new Response(null, { status, headers });
  }
  return new Response(fileSlice(blob.file, start, length), { status, headers });
}

/** `GET|HEAD /object/<bucket>/<path>` and `/object/authenticated/...`: a JWT that may read. */
export async function authenticatedRead(
  req: Request,
  ctx: StorageContext,
  bucketId: string,
  name: string,
): Promise<Response> {
  await bucketForObjectRead(req, ctx, bucketId);
  return await serveObject(req, ctx, bucketId, name);
}

/** `GET|HEAD /object/public/<bucket>/<path>`: no JWT needed, the bucket must be public. */
export async function publicRead(
  req: Request,
  ctx: StorageContext,
  bucketId: string,
  name: string,
): Promise<Response> {
  await readableBucket(ctx, bucketId, null);
  return await serveObject(req, ctx, bucketId, name);
}

/** `GET /object/info/<bucket>/<path>`: the object's row, as storage-js info() reads it. */
export async function objectInfo(
  req: Request,
  ctx: StorageContext,
  bucketId: string,
  name: string,
): Promise<Response> {
  await bucketForObjectRead(req, ctx, bucketId);
  const record = await ctx.index.get(bucketId, name);
  if (!record) throw storageErrors.noSuchKey();
  return json(200, {
    id: record.id,
    version: record.id,
    name: record.name,
    bucket_id: record.bucket_id,
    size: record.metadata.size,
    content_type: record.metadata.mimetype,
    cache_control: record.metadata.cacheControl,
    etag: record.metadata.eTag,
    last_modified: record.updated_at,
    created_at: record.created_at,
    metadata: {},
  });
}
