// Storage API errors in the shape Supabase Storage renders them ({ statusCode, code, error,
// message }); storage-js reads `code` (e.g. NoSuchKey for exists()) and `message`. Messages
// never carry a key, a JWT or a request header.
import { json } from "../http.ts";

/** An error a storage route answers with; routes throw it, the dispatcher renders it. */
export class StorageHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly legacyError: string,
    message: string,
  ) {
    super(message);
    this.name = "StorageHttpError";
  }

  toResponse(): Response {
    return json(this.status, {
      statusCode: String(this.status),
      code: this.code,
      error: this.legacyError,
      message: this.message,
    });
  }
}

export const storageErrors = {
  noSuchBucket: () =>
    new StorageHttpError(404, "NoSuchBucket", "Bucket not found", "Bucket not found"),
  noSuchKey: () => new StorageHttpError(404, "NoSuchKey", "not_found", "Object not found"),
  duplicate: () =>
    new StorageHttpError(
      409,
      "KeyAlreadyExists",
      "Duplicate",
      "The resource already exists (upload with upsert: true to overwrite it)",
    ),
  invalidKey: (why: string) => new StorageHttpError(400, "InvalidKey", "Invalid Input", why),
  invalidBucketName: (why: string) =>
    new StorageHttpError(400, "InvalidBucketName", "Invalid Input", why),
  invalidRequest: (why: string) =>
    new StorageHttpError(400, "InvalidRequest", "Invalid Input", why),
  invalidJwt: (why: string) => new StorageHttpError(400, "InvalidJWT", "Invalid JWT", why),
  accessDenied: (why: string) => new StorageHttpError(403, "AccessDenied", "Unauthorized", why),
  invalidSignature: (why: string) =>
    new StorageHttpError(400, "InvalidSignature", "InvalidSignature", why),
  entityTooLarge: (limit: number) =>
    new StorageHttpError(
      413,
      "EntityTooLarge",
      "Payload too large",
      `The object exceeded the maximum allowed size of ${limit} bytes`,
    ),
  invalidMimeType: (mimetype: string) =>
    new StorageHttpError(
      415,
      "InvalidMimeType",
      "invalid_mime_type",
      `mime type ${mimetype} is not allowed in this bucket (see storage.buckets.allowed_mime_types)`,
    ),
  invalidRange: () =>
    new StorageHttpError(416, "InvalidRange", "invalid_range", "invalid range provided"),
  methodNotAllowed: () =>
    new StorageHttpError(405, "InvalidRequest", "Method Not Allowed", "Method not allowed here"),
  notFoundRoute: () =>
    new StorageHttpError(
      404,
      "InvalidRequest",
      "Not Found",
      "This Storage route is not served by the local gateway (see local/gateway/README.md)",
    ),
  internal: () =>
    new StorageHttpError(
      500,
      "InternalError",
      "Internal",
      "Internal server error; see the gateway log",
    ),
};
