// The slots of a run as chains, and the gapless hand-off between them. A chain takes segments one
// after another from the feed; when a request brings audio and another segment is already
// claimed, the chain ends that attempt and begins the next segment's in one round trip
// (audio.end_and_begin) and starts a new chain for it on the same permit, then only finishes its
// own upload and stops. So the plan's slot goes from one request to the next with one database
// call between them, the upload of the last one runs beside the next, and no more than
// `concurrency` chains ever wait on the provider.
import type { Begun, PermitGate } from "./permit_gate.ts";
import type { ClaimAhead } from "./claim_ahead.ts";
import type { ClaimedSegment, HandOff, WorkerQueue } from "./queue.ts";
import { type RetryDeps, surviving } from "./retrying.ts";
import type { SlotFeed } from "./slot_feed.ts";

/** A hand-off as processSegment calls it: live, or null when there was no next segment. */
export type HandOffFn = (slot: number, seg: ClaimedSegment) => Promise<{ live: boolean } | null>;

interface ChainDeps {
  concurrency: number;
  feed: Pick<SlotFeed, "next">;
  claims: Pick<ClaimAhead, "takeNow" | "putBack" | "buffered">;
  queue: Pick<WorkerQueue, "endAndBegin">;
  gate: Pick<PermitGate, "freed">;
  // For the hand-off's call: retried like end_attempt while the database cannot be reached.
  retry: RetryDeps;
  // Segments taken from the buffer and not yet finished (shared with the run).
  inFlight: Map<number, ClaimedSegment>;
  // Whether a new attempt may start (the budget has room, the run was not told to stop).
  mayStart: () => boolean;
  // Whether this segment could be sent to the provider now (its format and model can be
  // requested, the provider circuit lets it through). A hand-off begins only such a segment: one
  // that could not be sent would count an attempt it never made.
  requestable: (seg: ClaimedSegment) => boolean;
  // One segment start to end; begun when a hand-off began it; handOff for its attempts' ends.
  process: (seg: ClaimedSegment, begun: Begun | undefined, handOff: HandOffFn) => Promise<void>;
}

/** Runs `concurrency` chains, and those they hand on to, until every one has stopped. */
export async function runChains(d: ChainDeps): Promise<void> {
  const chains = new Set<Promise<void>>();
  // Chains that handed on and are still finishing (uploading, completing). At most `concurrency`:
  // while Storage is slow, a chain keeps its upload before its next request instead of piling
  // up audio in memory — and up to its visibility timeout — behind a stalled Storage.
  let finishing = 0;
  // Chains that may still send a request (neither finishing nor stopped). A chain stops when the
  // feed finds nothing for it (the queue empty for a moment, or the rest held by its siblings);
  // when work is buffered again, topUp starts chains until `concurrency` may send again.
  let active = 0;
  const start = (first?: { seg: ClaimedSegment; begun: Begun }) => {
    active++;
    const running: Promise<void> = chain(first).finally(() => chains.delete(running));
    chains.add(running);
  };
  const topUp = () => {
    while (active < d.concurrency && d.claims.buffered > 0 && d.mayStart()) start();
  };

  const chain = async (first?: { seg: ClaimedSegment; begun: Begun }) => {
    for (let carried = first;;) {
      const seg = carried?.seg ?? await d.feed.next();
      if (!seg) {
        active--;
        return;
      }
      topUp();
      let handedOn = false;
      const handOff: HandOffFn = async (slot, done) => {
        if (finishing >= d.concurrency || !d.mayStart()) return null;
        const next = d.claims.takeNow();
        if (!next) return null;
        if (!d.requestable(next)) {
          // Left for a chain of its own, which settles it without a permit.
          d.claims.putBack(next);
          return null;
        }
        const r = await endAndBegin(slot, done, next);
        handedOn = true;
        finishing++;
        active--;
        start({ seg: next, begun: r });
        return r;
      };
      d.inFlight.set(seg.segmentId, seg);
      try {
        await d.process(seg, carried?.begun, handOff);
      } finally {
        d.inFlight.delete(seg.segmentId);
        if (handedOn) finishing--;
      }
      if (handedOn) return;
      carried = undefined;
    }
  };

  // The next segment is held (in flight) from the moment it leaves the buffer. A permit it did
  // not take is free again, so the gate's waiting slot looks at once; a failed call puts the
  // segment back in the buffer and the error goes to the finished segment's settling.
  const endAndBegin = async (
    slot: number,
    done: ClaimedSegment,
    next: ClaimedSegment,
  ): Promise<HandOff> => {
    d.inFlight.set(next.segmentId, next);
    try {
      const r = await surviving(
        d.retry,
        () => d.queue.endAndBegin(slot, done.segmentId, true, next),
      );
      if (r.outcome !== "go") d.gate.freed();
      return r;
    } catch (err) {
      d.inFlight.delete(next.segmentId);
      d.claims.putBack(next);
      throw err;
    }
  };

  for (let i = 0; i < d.concurrency; i++) start();
  while (chains.size > 0) await Promise.all([...chains]);
}
