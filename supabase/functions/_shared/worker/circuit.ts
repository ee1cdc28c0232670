// The worker's side of the provider circuit (the state itself is one row in Postgres, shared by
// every worker: audio.provider_circuit). It decides what a provider answer means for the line:
//   account error (401/403 key, 402 or a credits/quota answer)  open the circuit, hold the segment
//   server failures (5xx, timeouts) for serverFailureLimit
//   segments in a row                                           open the circuit, hold the segment
//   anything else                                               the segment's own: fail it
// and remembers what this worker knows, so a slot of it never sends a request while the circuit
// is open (the other slots' buffered segments are held without a call). The worker learns the
// state from its claims (a claim only brings segments when the circuit is closed, or one probe
// segment when a probe is due) and from audio.begin_gated_attempt's circuit_open.
// A probe segment's answer settles the probe: audio closes the circuit, an account error or a
// server failure re-opens it, a segment-level refusal (the account works) closes it too.
import { ACCOUNT_REASONS, accountProblem } from "../provider/account_error.ts";
import type { ProviderError } from "../provider/provider_error.ts";
import type { OnEvent } from "./events.ts";
import type { ClaimedSegment, WorkerQueue } from "./queue.ts";

/** What the worker does with a segment whose request failed. */
export type Verdict = "hold" | "fail";

export interface CircuitSettings {
  /** Seconds from an opening (or a failed probe) to the next probe. */
  probeAfterS: number;
  /** Segments in a row whose last attempt was a server failure before the circuit opens. */
  serverFailureLimit: number;
}

interface CircuitDeps extends CircuitSettings {
  store: Pick<WorkerQueue, "openCircuit" | "closeCircuit">;
  now: () => number;
  onEvent?: OnEvent;
}

/** The last attempt failed on the provider's side: a 5xx, a timeout or a network error after
 * every retry. A 429 or 408 that ran out of retries is about load, not an outage. */
function isServerFailure(err: ProviderError): boolean {
  if (err.kind !== "exhausted") return false;
  return err.status === undefined || err.status >= 500;
}

/** A failed attempt's answer (AttemptFailure): its status and the provider's message. */
function isFailedAttempt(answer: unknown): answer is { status?: number; message: string } {
  if (typeof answer !== "object" || answer === null) return false;
  const a = answer as { ok?: unknown; message?: unknown };
  return a.ok === false && typeof a.message === "string";
}

export class WorkerCircuit {
  #open = false;
  #openedAt: number | null = null;
  #serverFailures = 0;
  // The segment whose attempt already opened the circuit (answered), so failed() need not again.
  #openedBy: number | null = null;

  constructor(private readonly d: CircuitDeps) {}

  /** Whether this worker knows the circuit open, since when (its clock), and the current run of
   * segments whose last attempt was a server failure. */
  get state(): { open: boolean; openedAt: number | null; serverFailures: number } {
    return { open: this.#open, openedAt: this.#openedAt, serverFailures: this.#serverFailures };
  }

  /** A claim's segments: any that is not a probe means the circuit is closed. */
  heardClaim(segments: ClaimedSegment[]): void {
    if (segments.some((s) => !s.probe)) this.#markClosed();
  }

  /** audio.begin_gated_attempt answered circuit_open: another worker opened it. */
  heardOpen(): void {
    this.#markOpen();
  }

  /** Whether a slot may send this segment's request: always for the probe, else only while the
   * circuit is not known to be open. */
  mayRequest(seg: ClaimedSegment): boolean {
    return seg.probe === true || !this.#open;
  }

  /** One attempt's answer, before its permit is given back: an account error opens the circuit
   * right there, so the freed permit cannot start another worker's request while the circuit
   * still reads closed. Throws when the database does not answer (failed() opens it then). */
  async answered(seg: ClaimedSegment, answer: unknown): Promise<void> {
    if (!isFailedAttempt(answer)) return;
    const problem = accountProblem(answer);
    if (problem === null) return;
    await this.#openWith(ACCOUNT_REASONS[problem], answer.message);
    this.#openedBy = seg.segmentId;
  }

  /** The segment's request brought audio. */
  async succeeded(seg: ClaimedSegment): Promise<void> {
    this.#serverFailures = 0;
    if (seg.probe) await this.#close();
  }

  /** The segment's requests failed for good: hold it (the circuit is open) or fail it. Throws when
   * the database does not answer (the caller hands the message back for a later delivery). */
  async failed(seg: ClaimedSegment, err: ProviderError): Promise<Verdict> {
    const problem = accountProblem(err);
    if (problem !== null) {
      if (this.#openedBy !== seg.segmentId) {
        await this.#openWith(ACCOUNT_REASONS[problem], err.message);
      }
      this.#openedBy = null;
      return "hold";
    }
    if (isServerFailure(err)) {
      this.#serverFailures++;
      if (seg.probe || this.#serverFailures >= this.d.serverFailureLimit) {
        const n = this.#serverFailures;
        await this.#openWith(
          `the provider failed ${n} segment${n === 1 ? "" : "s"} in a row with server errors or ` +
            `timeouts — it may be down; work resumes when a probe succeeds`,
          err.message,
        );
        return "hold";
      }
      return "fail";
    }
    // The provider answered and refused this segment alone: it is up and takes the key.
    this.#serverFailures = 0;
    if (seg.probe) await this.#close();
    return "fail";
  }

  async #openWith(reason: string, providerError: string): Promise<void> {
    this.#markOpen();
    this.#serverFailures = 0;
    await this.d.store.openCircuit(reason, providerError, this.d.probeAfterS);
    this.d.onEvent?.({ type: "circuit", state: "open", reason });
  }

  async #close(): Promise<void> {
    this.#markClosed();
    if (await this.d.store.closeCircuit("probe")) {
      this.d.onEvent?.({ type: "circuit", state: "closed", reason: "a probe succeeded" });
    }
  }

  #markOpen(): void {
    if (!this.#open) this.#openedAt = this.d.now();
    this.#open = true;
  }

  #markClosed(): void {
    this.#open = false;
    this.#openedAt = null;
  }
}
