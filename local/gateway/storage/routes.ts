// The `/storage/v1/...` dispatcher: matches the Storage API routes storage-js calls, validates
// the bucket id and object name, runs the route and renders any error in Storage's shape. An
// unexpected failure is logged (scrubbed) and answered with a bare 500.
import { preflight, redact } from "../http.ts";
import { secretsOf } from "../keyring.ts";
import { getBucket, listBuckets } from "./buckets.ts";
import type { StorageContext } from "./context.ts";
import { storageErrors, StorageHttpError } from "./errors.ts";
import { listObjects, removeObject, removeObjects } from "./objects_list.ts";
import { authenticatedRead, objectInfo, publicRead } from "./objects_read.ts";
import { uploadObject } from "./objects_write.ts";
import { checkBucketId, decodeSegment, objectNameFromSegments } from "./paths.ts";
import { signedRead, signMany, signOne } from "./sign.ts";

type Route = () => Promise<Response>;

/** Serves a request whose path is `/storage/v1/<rest>` (rest still %-encoded). */
export async function routeStorage(
  req: Request,
  rest: string,
  ctx: StorageContext,
): Promise<Response> {
  if (req.method === "OPTIONS") return preflight();
  try {
    const route = match(req, rest.split("/"), ctx);
    return await route();
  } catch (err) {
    if (err instanceof StorageHttpError) return err.toResponse();
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    ctx.log(redact(`storage ${req.method} failed: ${detail}`, secretsOf(ctx.keys)));
    return storageErrors.internal().toResponse();
  }
}

const bucketOf = (raw: string | undefined) => checkBucketId(decodeSegment(raw ?? ""));

function match(req: Request, seg: string[], ctx: StorageContext): Route {
  const method = req.method;
  const read = method === "GET" || method === "HEAD";
  const [area, second] = seg;

  if (area === "bucket") {
    if (!read) throw storageErrors.methodNotAllowed();
    if (seg.length === 1 || (seg.length === 2 && second === "")) return () => listBuckets(req, ctx);
    if (seg.length === 2) return () => getBucket(req, ctx, bucketOf(second));
    throw storageErrors.notFoundRoute();
  }
  if (area !== "object" || seg.length < 2) throw storageErrors.notFoundRoute();

  const objectAt = (from: number) => ({
    bucketId: bucketOf(seg[from]),
    name: objectNameFromSegments(seg.slice(from + 1)),
  });

  switch (second) {
    // Storage routes storage-js has but audio-queue does not use: say so instead of treating
    // the word as a bucket name.
    case "upload":
    case "move":
    case "copy":
    case "list-v2":
      throw storageErrors.notFoundRoute();
    case "list": {
      if (method !== "POST") throw storageErrors.methodNotAllowed();
      const bucketId = bucketOf(seg[2]);
      return () => listObjects(req, ctx, bucketId);
    }
    case "sign": {
      if (method === "POST" && seg.length === 3) {
        const bucketId = bucketOf(seg[2]);
        return () => signMany(req, ctx, bucketId);
      }
      const { bucketId, name } = objectAt(2);
      if (method === "POST") return () => signOne(req, ctx, bucketId, name);
      if (read) return () => signedRead(req, ctx, bucketId, name);
      throw storageErrors.methodNotAllowed();
    }
    case "public": {
      if (!read) throw storageErrors.methodNotAllowed();
      const { bucketId, name } = objectAt(2);
      return () => publicRead(req, ctx, bucketId, name);
    }
    case "authenticated": {
      if (!read) throw storageErrors.methodNotAllowed();
      const { bucketId, name } = objectAt(2);
      return () => authenticatedRead(req, ctx, bucketId, name);
    }
    case "info": {
      if (method !== "GET") throw storageErrors.methodNotAllowed();
      const from = seg[2] === "public" || seg[2] === "authenticated" ? 3 : 2;
      const { bucketId, name } = objectAt(from);
      return () => objectInfo(req, ctx, bucketId, name);
    }
  }

  // /object/<bucket> and /object/<bucket>/<path>
  if (method === "DELETE" && (seg.length === 2 || (seg.length === 3 && seg[2] === ""))) {
    const bucketId = bucketOf(second);
    return () => removeObjects(req, ctx, bucketId);
  }
  const { bucketId, name } = objectAt(1);
  if (method === "POST" || method === "PUT") return () => uploadObject(req, ctx, bucketId, name);
  if (read) return () => authenticatedRead(req, ctx, bucketId, name);
  if (method === "DELETE") return () => removeObject(req, ctx, bucketId, name);
  throw storageErrors.methodNotAllowed();
}
