// `GET /bucket` and `GET /bucket/<id>` (storage-js listBuckets / getBucket). The service role
// sees every bucket; other callers see public buckets only.
import { json } from "../http.ts";
import { authenticate, mayRead, readableBucket } from "./access.ts";
import type { StorageContext } from "./context.ts";

export async function listBuckets(req: Request, ctx: StorageContext): Promise<Response> {
  const caller = await authenticate(req, ctx.keys);
  const buckets = (await ctx.index.buckets()).filter((b) => mayRead(caller, b));
  return json(200, buckets);
}

export async function getBucket(
  req: Request,
  ctx: StorageContext,
  bucketId: string,
): Promise<Response> {
  return json(200, await readableBucket(ctx, bucketId, await authenticate(req, ctx.keys)));
}
