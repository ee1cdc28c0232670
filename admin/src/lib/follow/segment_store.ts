// The segments of one followed batch, keyed by "<wordId>:<kind>" (one segment per word and kind
// in a batch), with per-status indexes so the in-flight list and counts never scan 30,000 rows.
// Each held segment remembers the Broadcast seq it is known as of: a snapshot row as of the seq
// the snapshot's batch row was read at, a change as of its message's seq. A version known as of
// an older seq never replaces one known as of a newer seq (segmentIsCurrent breaks ties).

import { segmentIsCurrent } from "./merge.ts";
import type { SegmentChange } from "./payloads.ts";
import type { Segment, SegmentKind, SegmentStatus } from "../types.ts";

export function segmentKey(wordId: string, kind: SegmentKind): string {
  return `${wordId}:${kind}`;
}

const STATUSES: readonly SegmentStatus[] = [
  "queued",
  "generating",
  "done",
  "failed",
  "cancelled",
];

export class SegmentStore {
  readonly byKey = new Map<string, Segment>();
  #asOf = new Map<string, number>();
  #keyById = new Map<string, string>();
  #byStatus = new Map<SegmentStatus, Set<string>>(
    STATUSES.map((s) => [s, new Set<string>()]),
  );

  /** Stores a snapshot row read as of seq `asOf`, unless what is held is known as of a newer seq,
   * or of the same seq and is not older (updated_at); returns whether it changed anything. A row
   * refused for a newer change still lends its text to a held change that came without one. */
  apply(seg: Segment, asOf = 0): boolean {
    const key = segmentKey(seg.word_id, seg.kind);
    const held = this.byKey.get(key);
    const heldAsOf = this.#asOf.get(key) ?? -1;
    if (held && (heldAsOf > asOf || (heldAsOf === asOf && !segmentIsCurrent(held, seg)))) {
      if (held.text !== "" || seg.text === "") return false;
      this.byKey.set(key, { ...held, text: seg.text, attempts: seg.attempts });
      return true;
    }
    this.#put(key, seg, asOf);
    return true;
  }

  /** Applies a change of a segments message with this seq, unless the held version is known as
   * of this seq or a newer one; returns whether it changed anything. */
  applyChange(batchId: string, change: SegmentChange, seq: number): boolean {
    const key = segmentKey(change.word_id, change.kind);
    const held = this.byKey.get(key);
    if (held && (this.#asOf.get(key) ?? -1) >= seq) return false;
    this.#put(key, {
      text: "",
      attempts: 0,
      updated_at: "",
      ...held,
      id: change.id,
      batch_id: batchId,
      word_id: change.word_id,
      kind: change.kind,
      status: change.status,
      storage_path: change.storage_path ?? null,
      last_error: change.error ?? null,
    }, seq);
    return true;
  }

  #put(key: string, seg: Segment, asOf: number): void {
    const held = this.byKey.get(key);
    if (held) {
      this.#byStatus.get(held.status)?.delete(key);
      this.#keyById.delete(String(held.id));
    }
    this.byKey.set(key, seg);
    this.#asOf.set(key, asOf);
    this.#keyById.set(String(seg.id), key);
    this.#byStatus.get(seg.status)?.add(key);
  }

  #deleteKey(key: string): void {
    const held = this.byKey.get(key);
    if (!held) return;
    this.byKey.delete(key);
    this.#asOf.delete(key);
    this.#keyById.delete(String(held.id));
    this.#byStatus.get(held.status)?.delete(key);
  }

  /** Segments in this status, in the order they entered it, at most `limit`. */
  withStatus(status: SegmentStatus, limit = Infinity): Segment[] {
    const out: Segment[] = [];
    for (const key of this.#byStatus.get(status) ?? []) {
      if (out.length >= limit) break;
      const seg = this.byKey.get(key);
      if (seg) out.push(seg);
    }
    return out;
  }

  count(status: SegmentStatus): number {
    return this.#byStatus.get(status)?.size ?? 0;
  }

  /** Drops every held segment for which keep() is false; returns how many went. */
  prune(keep: (seg: Segment) => boolean): number {
    const gone: string[] = [];
    for (const [key, seg] of this.byKey) if (!keep(seg)) gone.push(key);
    for (const key of gone) this.#deleteKey(key);
    return gone.length;
  }
}
