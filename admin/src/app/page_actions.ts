// What the page's buttons start — generate a grade, generate everything missing, cancel, retry
// the failures — and the notice line that says what came of it.

import { useState } from "react";
import { type AudioQueueView, useAudioQueueContext } from "../hooks/index.ts";
import type { StartBatchResult } from "../lib/index.ts";
import { wordIdChunksNeedingAudio } from "./generate_all.ts";
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
  const { client } = useAudioQueueContext();
  const [notice, setNotice] = useState<string | null>(null);

  function started(res: StartBatchResult) {
    setNotice(
      res.batchId
        ? `Batch started: ${res.queued} segments queued.`
        : res.message ?? "Nothing to do.",
    );
    data.reload();
  }

  async function generateAll() {
    setNotice("Collecting the words that need audio…");
    try {
      const chunks = await wordIdChunksNeedingAudio(client, data.grades ?? []);
      if (chunks.length === 0) {
        setNotice("Nothing to do: every grade has current audio.");
        return;
      }
      const first = await q.start({ wordIds: chunks[0], missingOnly: true });
      for (const ids of chunks.slice(1)) {
        await client.startBatch({ wordIds: ids, missingOnly: true });
      }
      started(first);
      if (chunks.length > 1) {
        setNotice(
          `Started ${chunks.length} batches; following the first, the others are in the history.`,
        );
      }
    } catch (err) {
      setNotice(null);
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
