// The error synthesize() throws when it gives up: `rejected` when the provider refused the
// request for good (a 4xx other than 429), `exhausted` when the last retry failed too.

type ProviderErrorKind = "rejected" | "exhausted";

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  /** HTTP status of the last attempt; absent for timeouts and network errors. */
  readonly status?: number;
  readonly attempts: number;
  /** How many attempts were answered 429. */
  readonly rateLimited: number;

  constructor(opts: {
    kind: ProviderErrorKind;
    status?: number;
    attempts: number;
    rateLimited: number;
    message: string;
  }) {
    super(opts.message);
    this.name = "ProviderError";
    this.kind = opts.kind;
    this.status = opts.status;
    this.attempts = opts.attempts;
    this.rateLimited = opts.rateLimited;
  }
}
