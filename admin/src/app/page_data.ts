// The admin page's data from admin-api: the grades with their counts, the words of the chosen
// grade, and the batch history, which follows the database's `batches` topic live
// (followBatchList). reload() reads them all again, and so does the end of the followed batch
// (its counts and states changed). The first history load also follows the newest batch still
// running, so a reopened page picks up where it was.

import { useCallback, useEffect, useRef, useState } from "react";
import { type AudioQueueView, useAudioQueueContext } from "../hooks/index.ts";
import { BATCH_HISTORY_LIMIT } from "../lib/config.ts";
import {
  type Batch,
  batchIsActive,
  type BatchListFollow,
  followBatchList,
  type GradeSummary,
  type WordRow,
} from "../lib/index.ts";

export interface PageData {
  grades: GradeSummary[] | null;
  grade: number | null;
  /** Picks another grade; its words load afresh. */
  chooseGrade(grade: number): void;
  words: WordRow[] | null;
  history: Batch[] | null;
  reload(): void;
}

export function usePageData(q: AudioQueueView, report: (err: unknown) => void): PageData {
  const { client, supabase } = useAudioQueueContext();
  const [grades, setGrades] = useState<GradeSummary[] | null>(null);
  const [grade, setGrade] = useState<number | null>(null);
  const [words, setWords] = useState<WordRow[] | null>(null);
  const [history, setHistory] = useState<Batch[] | null>(null);
  const [refresh, setRefresh] = useState(0);
  const reload = useCallback(() => setRefresh((n) => n + 1), []);

  useEffect(() => {
    client.grades().then((gs) => {
      setGrades(gs);
      setGrade((cur) => cur ?? gs[0]?.grade ?? null);
    }).catch(report);
  }, [client, report, refresh]);

  useEffect(() => {
    if (grade === null) return;
    let live = true;
    client.words(grade).then((ws) => live && setWords(ws)).catch(report);
    return () => {
      live = false;
    };
  }, [client, report, grade, refresh]);

  const followedOnce = useRef(false);
  const list = useRef<BatchListFollow | null>(null);
  useEffect(() => {
    const follow = followBatchList(client, supabase, (bs) => {
      setHistory(bs);
      if (!followedOnce.current) {
        followedOnce.current = true;
        const running = bs.find((b) => batchIsActive(b));
        if (running) q.follow(running.id);
      }
    }, { limit: BATCH_HISTORY_LIMIT, onError: report });
    list.current = follow;
    return () => {
      follow.stop();
      list.current = null;
    };
    // q.follow is a state setter (stable); listing q would follow afresh on every render.
  }, [client, supabase, report]);
  useEffect(() => {
    if (refresh > 0) list.current?.refresh();
  }, [refresh]);

  const wasGenerating = useRef(false);
  useEffect(() => {
    if (wasGenerating.current && !q.isGenerating) reload();
    wasGenerating.current = q.isGenerating;
  }, [q.isGenerating, reload]);

  const chooseGrade = useCallback((g: number) => {
    setWords(null);
    setGrade(g);
  }, []);
  return { grades, grade, chooseGrade, words, history, reload };
}
