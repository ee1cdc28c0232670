// Listing and removing objects: `POST /object/list/<bucket>` (one folder level, storage-js
// list()), `DELETE /object/<bucket>` with { prefixes } (storage-js remove(), returns the
// removed rows) and `DELETE /object/<bucket>/<path>` (one object).
import { z } from "zod";
import { json } from "../http.ts";
import { authenticate, readableBucket, requireWrite } from "./access.ts";
import { readJson } from "./body.ts";
import type { StorageContext } from "./context.ts";
import { storageErrors } from "./errors.ts";
import { folderPrefix, listLevel, parseListBody } from "./listing.ts";
import { checkObjectName } from "./paths.ts";

// Supabase Storage deletes at most 1000 objects per request.
const MAX_REMOVE = 1000;

const removeBody = z.object({ prefixes: z.array(z.string()).min(1).max(MAX_REMOVE) });

export async function listObjects(
  req: Request,
  ctx: StorageContext,
  bucketId: string,
): Promise<Response> {
  await readableBucket(ctx, bucketId, await authenticate(req, ctx.keys));
  const opts = parseListBody(await readJson(req));
  const records = await ctx.index.withPrefix(bucketId, folderPrefix(opts.prefix));
  return json(200, listLevel(records, opts));
}

export async function removeObjects(
  req: Request,
  ctx: StorageContext,
  bucketId: string,
): Promise<Response> {
  const caller = await authenticate(req, ctx.keys);
  requireWrite(caller);
  if (!(await ctx.index.bucket(bucketId))) throw storageErrors.noSuchBucket();
  const parsed = removeBody.safeParse(await readJson(req));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw storageErrors.invalidRequest(
      `remove body: ${issue.path.join(".") || "(body)"}: ${issue.message} ` +
        `(send { "prefixes": ["path/in/bucket", ...] }, at most ${MAX_REMOVE})`,
    );
  }
  const names = parsed.data.prefixes.map((p) => checkObjectName(p.replace(/^\/+/, "")));
  const removed = await ctx.index.remove(bucketId, names);
  for (const row of removed) await ctx.blobs.remove(bucketId, row.name);
  return json(200, removed);
}

export async function removeObject(
  req: Request,
  ctx: StorageContext,
  bucketId: string,
  name: string,
): Promise<Response> {
  const caller = await authenticate(req, ctx.keys);
  requireWrite(caller);
  if (!(await ctx.index.bucket(bucketId))) throw storageErrors.noSuchBucket();
  const removed = await ctx.index.remove(bucketId, [name]);
  if (removed.length === 0) throw storageErrors.noSuchKey();
  await ctx.blobs.remove(bucketId, name);
  return json(200, { message: "Successfully deleted" });
}
