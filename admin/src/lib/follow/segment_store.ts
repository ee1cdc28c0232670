// The segments of one followed batch, keyed by "<wordId>:<kind>" (one segment per word and kind
// in a batch), with per-status indexes so the in-flight list and counts never scan 30,000 rows.

import { segmentIsCurrent } from "./merge.ts";
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
  #keyById = new Map<string, string>();
  #byStatus = new Map<SegmentStatus, Set<string>>(
    STATUSES.map((s) => [s, new Set<string>()]),
  );

  /** Stores seg unless an equal or newer version is held; returns whether it changed anything. */
  apply(seg: Segment): boolean {
    const key = segmentKey(seg.word_id, seg.kind);
    const held = this.byKey.get(key);
    if (!segmentIsCurrent(held, seg)) return false;
    if (held) {
      this.#byStatus.get(held.status)?.delete(key);
      this.#keyById.delete(String(held.id));
    }
    this.byKey.set(key, seg);
    this.#keyById.set(String(seg.id), key);
    this.#byStatus.get(seg.status)?.add(key);
    return true;
  }

  /** Forgets the segment with this id (a DELETE); returns whether it was held. */
  removeId(id: number | string): boolean {
    const key = this.#keyById.get(String(id));
    if (key === undefined) return false;
    this.#deleteKey(key);
    return true;
  }

  #deleteKey(key: string): void {
    const held = this.byKey.get(key);
    if (!held) return;
    this.byKey.delete(key);
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
