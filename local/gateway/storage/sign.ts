// Signed URLs: `POST /object/sign/<bucket>/<path>` with { expiresIn } returns
// { signedURL: "/object/sign/<bucket>/<path>?token=..." }; `POST /object/sign/<bucket>` with
// { expiresIn, paths } signs several. The token is an HS256 JWT over { url: "<bucket>/<path>" }
// with an expiry, signed with the project's JWT secret; GET with it streams the object.
import { z } from "zod";
import { json } from "../http.ts";
import { isExpiredJwtError, signJwt, verifyJwt } from "../keys.ts";
import { authenticate, bucketForObjectRead, mayRead } from "./access.ts";
import { readJson } from "./body.ts";
import type { StorageContext } from "./context.ts";
import { storageErrors } from "./errors.ts";
import { serveObject } from "./objects_read.ts";
import { checkObjectName } from "./paths.ts";

// One year, the longest a signed URL may live here; storage-js callers pass seconds.
const MAX_EXPIRES_IN_S = 365 * 24 * 3600;
// Supabase Storage signs at most 1000 paths per request.
const MAX_PATHS = 1000;

const expiresIn = z.number().int().min(1).max(MAX_EXPIRES_IN_S);
const signOneBody = z.object({ expiresIn });
const signManyBody = z.object({ expiresIn, paths: z.array(z.string()).min(1).max(MAX_PATHS) });

function bodyError(what: string, error: z.ZodError): never {
  const issue = error.issues[0];
  throw storageErrors.invalidRequest(
    `${what}: ${issue.path.join(".") || "(body)"}: ${issue.message}`,
  );
}

async function signedUrl(ctx: StorageContext, bucketId: string, name: string, ttlS: number) {
  const token = await signJwt(ctx.keys.jwtSecret, { url: `${bucketId}/${name}` }, ttlS);
  return `/object/sign/${bucketId}/${name}?token=${token}`;
}

export async function signOne(
  req: Request,
  ctx: StorageContext,
  bucketId: string,
  name: string,
): Promise<Response> {
  await bucketForObjectRead(req, ctx, bucketId);
  const parsed = signOneBody.safeParse(await readJson(req));
  if (!parsed.success) bodyError("sign body", parsed.error);
  if (!(await ctx.index.get(bucketId, name))) throw storageErrors.noSuchKey();
  return json(200, { signedURL: await signedUrl(ctx, bucketId, name, parsed.data.expiresIn) });
}

export async function signMany(
  req: Request,
  ctx: StorageContext,
  bucketId: string,
): Promise<Response> {
  const caller = await authenticate(req, ctx.keys);
  const bucket = await ctx.index.bucket(bucketId);
  if (!bucket) throw storageErrors.noSuchBucket();
  const parsed = signManyBody.safeParse(await readJson(req));
  if (!parsed.success) bodyError("sign body", parsed.error);
  const out = [];
  for (const path of parsed.data.paths) {
    let name: string;
    try {
      name = checkObjectName(path);
    } catch {
      out.push({ error: "Invalid key", path, signedURL: null });
      continue;
    }
    const exists = mayRead(caller, bucket) && (await ctx.index.get(bucketId, name)) !== null;
    out.push(
      exists
        ? {
          error: null,
          path,
          signedURL: await signedUrl(ctx, bucketId, name, parsed.data.expiresIn),
        }
        : {
          error: "Either the object does not exist or you do not have access to it",
          path,
          signedURL: null,
        },
    );
  }
  return json(200, out);
}

/** `GET|HEAD /object/sign/<bucket>/<path>?token=...`: no other credentials needed. */
export async function signedRead(
  req: Request,
  ctx: StorageContext,
  bucketId: string,
  name: string,
): Promise<Response> {
  const token = new URL(req.url).searchParams.get("token");
  if (!token) throw storageErrors.invalidSignature("Missing token query parameter");
  let url: unknown;
  try {
    url = (await verifyJwt(ctx.keys.jwtSecret, token)).url;
  } catch (err) {
    throw isExpiredJwtError(err)
      ? storageErrors.invalidJwt("The signed URL has expired")
      : storageErrors.invalidSignature("Invalid signature: the token was not issued for this URL");
  }
  if (url !== `${bucketId}/${name}`) {
    throw storageErrors.invalidSignature(
      "Invalid signature: the token was not issued for this URL",
    );
  }
  if (!(await ctx.index.bucket(bucketId))) throw storageErrors.noSuchBucket();
  return await serveObject(req, ctx, bucketId, name);
}
