// Shapes shared by the pg_net stand-in dispatcher's parts: a request taken from
// net.http_request_queue and the row it leaves in net._http_response.

/** A row taken (deleted) from net.http_request_queue. */
export interface QueuedRequest {
  /** bigint, kept as text as the postgres client returns it. */
  id: string;
  method: string;
  url: string;
  /** jsonb object of header name to value, or null. */
  headers: Record<string, unknown> | null;
  body: Uint8Array<ArrayBuffer> | null;
  timeoutMs: number;
}

/** The columns the dispatcher writes to net._http_response (created takes its default). */
export interface ResponseRow {
  id: string;
  /** HTTP status; null when no response arrived (refused, timed out, network error). */
  statusCode: number | null;
  contentType: string | null;
  headers: Record<string, string> | null;
  content: string | null;
  /** false on a response; null on a failure, a timeout included (pg_net 0.19.5 never sets it). */
  timedOut: boolean | null;
  errorMsg: string | null;
}

/** The subset of the global fetch the dispatcher uses, so tests can pass a spy. */
export type FetchLike = (input: URL, init: RequestInit) => Promise<Response>;
