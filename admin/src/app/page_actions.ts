// What the page's buttons start — generate a grade, generate everything missing, cancel, retry
// the failures — and the notice line that says what came of it.

import { useState } from "react";
import type { AudioQueueView } from "../hooks/index.ts";
import type { StartBatchResult } from "../lib/index.ts";
import type { PageData } from "./page_data.ts";

export interface PageActions {
  notice: string | null;
  generateGrade(): void;
  generateAll(): Promise<void>;
  cancel(): void;
  retryFailed(): void;
}

export function usePageActions(
  q: AudioQueueView,
  data: PageData,
  report: (err: unknown) => void,
): PageActions {
  const [notice, setNotice] = useState<string | null>(null);

  function started(res: StartBatchResult) {
    setNotice(
      res.batchId
        ? `Batch started: ${res.queued} segments queued.`
        : res.message ?? "Nothing to do.",
    );
    data.reload();
  }

  // One batch of every missing or stale segment of the catalog: start-batch's all: true, so
  // the page neither lists the words nor splits them.
  async function generateAll() {
    setNotice(null);
    try {
      started(await q.start({ all: true, missingOnly: true }));
    } catch (err) {
      report(err);
    }
  }

  return {
    notice,
    generateGrade() {
      if (data.grade === null) return;
      setNotice(null);
      q.start({ grade: data.grade, missingOnly: true }).then(started).catch(report);
    },
    generateAll,
    cancel: () => void q.cancel().then(data.reload).catch(report),
    retryFailed: () =>
      void q.retryFailed().then((r) =>
        r && setNotice(`${r.requeued} failed segments queued again.`)
      )
        .catch(report),
  };
}
