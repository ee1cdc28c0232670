// Who is calling Storage, from the key or JWT in `Authorization: Bearer` (or the `apikey` header
// when there is no Authorization), and what that caller may do: the service role (its legacy key
// or the secret key) reads and writes everything; any other valid key or token (anon,
// publishable, authenticated) reads objects of public buckets.
import { bearerToken } from "../http.ts";
import { isExpiredJwtError, type JwtClaims } from "../keys.ts";
import { type ProjectKeys, verifyToken } from "../keyring.ts";
import { storageErrors } from "./errors.ts";
import type { BucketRecord } from "./types.ts";

export interface Caller {
  role: string;
  /** The JWT's sub when it is a uuid (storage.objects.owner is a uuid), else null. */
  owner: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The verified caller; throws a 400 InvalidJWT (as Storage does) without echoing the token. */
export async function authenticate(req: Request, keys: ProjectKeys): Promise<Caller> {
  let token = bearerToken(req);
  if (token === null) token = req.headers.get("apikey");
  if (token === null || token === "") {
    throw storageErrors.invalidJwt(
      "Missing JWT: send 'Authorization: Bearer <key or access token>' (or an apikey header)",
    );
  }
  let claims: JwtClaims;
  try {
    claims = await verifyToken(keys, token);
  } catch (err) {
    throw storageErrors.invalidJwt(
      isExpiredJwtError(err)
        ? "The JWT has expired"
        : "Invalid JWT: bad signature or malformed token",
    );
  }
  const role = typeof claims.role === "string" ? claims.role : "anon";
  const owner = typeof claims.sub === "string" && UUID.test(claims.sub) ? claims.sub : null;
  return { role, owner };
}

function isServiceRole(caller: Caller): boolean {
  return caller.role === "service_role";
}

/** Throws 403 unless the caller may write objects. */
export function requireWrite(caller: Caller): void {
  if (!isServiceRole(caller)) {
    throw storageErrors.accessDenied(
      "new row violates row-level security policy: only the service_role key may write to " +
        "Storage on the local gateway",
    );
  }
}

/** Whether the caller may see this bucket and read its objects. */
export function mayRead(caller: Caller, bucket: BucketRecord): boolean {
  return isServiceRole(caller) || bucket.public;
}

type BucketIndex = { index: { bucket(id: string): Promise<BucketRecord | null> } };

/** The bucket if it exists and the caller (null: no JWT needed, public buckets only) may read
 * it; a private bucket looks missing. */
export async function readableBucket(
  ctx: BucketIndex,
  bucketId: string,
  caller: Caller | null,
): Promise<BucketRecord> {
  const bucket = await ctx.index.bucket(bucketId);
  if (!bucket) throw storageErrors.noSuchBucket();
  const allowed = caller ? mayRead(caller, bucket) : bucket.public;
  if (!allowed) throw storageErrors.noSuchBucket();
  return bucket;
}

/**
 * The bucket of an object the caller wants to read, after the caller's JWT and read access are
 * checked. Like Storage under RLS, an object the caller may not read is "not found".
 */
export async function bucketForObjectRead(
  req: Request,
  ctx: BucketIndex & { keys: ProjectKeys },
  bucketId: string,
): Promise<BucketRecord> {
  const caller = await authenticate(req, ctx.keys);
  const bucket = await ctx.index.bucket(bucketId);
  if (!bucket) throw storageErrors.noSuchBucket();
  if (!mayRead(caller, bucket)) throw storageErrors.noSuchKey();
  return bucket;
}
