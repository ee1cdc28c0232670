// The one error type the client throws: HTTP status, the server's stable code, a message for
// people and, for bad input, the fields at fault. Network failures get status 0.

export interface FieldProblem {
  field: string;
  message: string;
}

export class AudioQueueError extends Error {
  override name = "AudioQueueError";
  constructor(
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    /** The server's error.code (e.g. "invalid_request", "forbidden"), or a client-side code. */
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
  }

  /** True when the token is missing, expired or invalid: the page signs in again. */
  get isUnauthorized(): boolean {
    return this.status === 401;
  }
}

/** A JSON object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Builds the error for a non-2xx answer from its status and body ({ error: { code, message,
 * fields? } } from our functions; anything else from a proxy or the platform). */
export function errorFromBody(
  status: number,
  body: unknown,
  what: string,
): AudioQueueError {
  const e = isRecord(body) && isRecord(body.error) ? body.error : null;
  if (e && typeof e.message === "string") {
    const fields = Array.isArray(e.fields)
      ? e.fields.filter(isRecord).map((f) => ({
        field: String(f.field ?? ""),
        message: String(f.message ?? ""),
      }))
      : [];
    return new AudioQueueError(
      status,
      typeof e.code === "string" ? e.code : `http_${status}`,
      e.message,
      fields,
    );
  }
  // Supabase's gateway answers some errors as { msg } or { message }.
  const plain = isRecord(body) ? (body.message ?? body.msg) : typeof body === "string" ? body : "";
  const detail = typeof plain === "string" && plain !== "" ? `: ${plain.slice(0, 200)}` : "";
  return new AudioQueueError(
    status,
    `http_${status}`,
    `${what} answered HTTP ${status}${detail}`,
  );
}

/** The error for a 2xx answer whose body is not the documented shape. */
export function badResponse(
  status: number,
  what: string,
  expected: string,
): AudioQueueError {
  return new AudioQueueError(
    status,
    "bad_response",
    `${what}: the answer is not ${expected}; is the admin-api function deployed at this version?`,
  );
}

/** err as an Error (a thrown string or object becomes an Error with its text). */
export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
