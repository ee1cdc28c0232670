// Abort helpers for the provider client: the AbortError it throws when the caller cancels, and
// the default sleep, which ends at once (and clears its timer) when the signal aborts.

/** The error thrown when the caller's signal aborted: a DOMException named "AbortError". */
export function abortError(signal?: AbortSignal): DOMException {
  const reason = signal?.reason;
  const detail = reason instanceof Error ? `: ${reason.message}` : "";
  return new DOMException(`the request was aborted by the caller${detail}`, "AbortError");
}

export function isAbortError(err: unknown): boolean {
  return (err instanceof DOMException || err instanceof Error) && err.name === "AbortError";
}

/** Resolves after `ms`, or rejects with an AbortError as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
