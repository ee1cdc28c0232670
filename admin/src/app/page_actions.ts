// What the page's buttons start — generate a grade, generate everything missing, regenerate one
// word, cancel, retry the failures — which of them is in flight, and the notice that says what came of it. One
// request at a time per button: a second press (a double click, Enter held down) while one is in
// flight sends nothing. The generate buttons estimate first and hold a large batch for the
// admin's confirmation (estimate_gate.ts).

import { useRef, useState } from "react";
import type { AudioQueueView } from "../hooks/index.ts";
import type { StartBatchRequest, StartBatchResult } from "../lib/index.ts";
import { type PendingStart, useEstimateGate } from "./estimate_gate.ts";
import type { Notice } from "./notice.ts";
import type { PageData } from "./page_data.ts";

export type Action = "grade" | "all" | "cancel" | "retry";

export interface PageActions {
  notice: Notice | null;
  /** The actions whose request is in flight. */
  busy: ReadonlySet<Action>;
  generateGrade(): void;
  generateAll(): void;
  cancel(): void;
  retryFailed(): void;
  /** Word ids whose regeneration request is in flight. */
  regenerating: ReadonlySet<string>;
  /** Generates all three segments of one word again, even where audio exists. */
  regenerateWord(wordId: string): void;
  /** A large batch waiting for Confirm or Cancel, with its estimate. */
  pendingStart: PendingStart | null;
  confirmStart(): void;
  cancelStart(): void;
}

export function usePageActions(
  q: AudioQueueView,
  data: PageData,
  report: (err: unknown) => void,
): PageActions {
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busy, setBusy] = useState<ReadonlySet<Action>>(new Set());
  // The guard itself: a ref, so two presses before the next render still see the first.
  const inFlight = useRef(new Set<Action>());
  const [regenerating, setRegenerating] = useState<ReadonlySet<string>>(new Set());
  const wordsInFlight = useRef(new Set<string>());
  const gate = useEstimateGate();

  function run(action: Action, work: () => Promise<unknown>) {
    if (inFlight.current.has(action)) return;
    inFlight.current.add(action);
    setBusy(new Set(inFlight.current));
    work().catch(report).finally(() => {
      inFlight.current.delete(action);
      setBusy(new Set(inFlight.current));
    });
  }

  const say = (text: string, batchId: string | null, finishedAt: string | null = null) =>
    setNotice({ text, batchId, finishedAt, grade: data.grade });

  function started(res: StartBatchResult) {
    if (res.batchId) say(`Batch started: ${res.queued} segments queued.`, res.batchId);
    else say(res.message ?? "Nothing to do.", null);
    data.reload();
  }

  // The estimate first; the start at once, or (a large batch) once the admin confirms it, as a
  // request of the same button.
  function generate(action: "grade" | "all", req: StartBatchRequest, scope: string) {
    const go = async () => {
      setNotice(null);
      started(await q.start(req));
    };
    run(action, async () => {
      if (await gate.check(req, scope, () => run(action, go))) await go();
    });
  }

  function regenerateWord(wordId: string) {
    if (wordsInFlight.current.has(wordId)) return;
    wordsInFlight.current.add(wordId);
    setRegenerating(new Set(wordsInFlight.current));
    q.start({ wordIds: [wordId], missingOnly: false }).then(started).catch(report).finally(() => {
      wordsInFlight.current.delete(wordId);
      setRegenerating(new Set(wordsInFlight.current));
    });
  }

  return {
    notice,
    busy,
    regenerating,
    regenerateWord,
    pendingStart: gate.pending,
    confirmStart: gate.confirm,
    cancelStart: gate.dismiss,
    generateGrade() {
      const grade = data.grade;
      if (grade !== null) generate("grade", { grade, missingOnly: true }, `Grade ${grade}`);
    },
    // One batch of every missing or stale segment of the catalog: start-batch's all: true, so
    // the page neither lists the words nor splits them.
    generateAll: () => generate("all", { all: true, missingOnly: true }, "All grades"),
    cancel: () =>
      run("cancel", async () => {
        await q.cancel();
        data.reload();
      }),
    retryFailed: () =>
      run("retry", async () => {
        const finishedAt = q.batch?.finished_at ?? null;
        const r = await q.retryFailed();
        if (r) say(`${r.requeued} failed segments queued again.`, r.batchId, finishedAt);
      }),
  };
}
