// `GET /bucket` and `GET /bucket/<id>` (storage-js listBuckets / getBucket). The service role
// sees every bucket; other callers see public buckets only.
import { json } from "../http.ts";
import { authenticate, mayRead } from "./access.ts";
import type { StorageContext } from "./context.ts";
import { storageErrors } from "./errors.ts";

export async function listBuckets(req: Request, ctx: StorageContext): Promise<Response> {
  const caller = await authenticate(req, ctx.jwtSecret);
  const buckets = (await ctx.index.buckets()).filter((b) => mayRead(caller, b));
  return json(200, buckets);
}

export async function getBucket(
  req: Request,
  ctx: StorageContext,
  bucketId: string,
): Promise<Response> {
  const caller = await authenticate(req, ctx.jwtSecret);
  const bucket = await ctx.index.bucket(bucketId);
  if (!bucket || !mayRead(caller, bucket)) throw storageErrors.noSuchBucket();
  return json(200, bucket);
}
