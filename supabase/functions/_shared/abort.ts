// Aborting: the AbortError thrown when a caller cancels, and the one sleep everything waits with
// (the provider's backoff, the worker's polls and pauses), which ends at once and clears its
// timer when its signal aborts.

/** A sleep that can be cut short; tests pass fakes of this shape. */
export type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;

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
export const abortableSleep: SleepFn = (ms, signal) => {
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
};
