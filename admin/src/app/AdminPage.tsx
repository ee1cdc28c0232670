// The admin page proper: grade picker and words with their audio states, the generate buttons,
// the followed batch's live progress, and the batch history. Data comes from admin-api; live
// state from useAudioQueue (Realtime plus snapshots).

import { useCallback, useEffect, useRef, useState } from "react";
import { useAudioQueue, useAudioQueueContext } from "../hooks/index.ts";
import { BATCH_HISTORY_LIMIT } from "../lib/config.ts";
import {
  AudioQueueError,
  type Batch,
  batchIsActive,
  type GradeSummary,
  segmentKey,
  type SegmentKind,
  type WordRow,
} from "../lib/index.ts";
import { BatchHistory } from "./BatchHistory.tsx";
import { BatchPanel } from "./BatchPanel.tsx";
import { wordIdChunksNeedingAudio } from "./generate_all.ts";
import { GradePicker } from "./GradePicker.tsx";
import { isUnauthorized, useSession } from "./session.tsx";
import { WordsTable } from "./WordsTable.tsx";

const NO_LIVE = new Map();

export function AdminPage({ userId }: { userId: string }) {
  const { client } = useAudioQueueContext();
  const { signOut, report } = useSession();
  const q = useAudioQueue();
  const [grades, setGrades] = useState<GradeSummary[] | null>(null);
  const [grade, setGrade] = useState<number | null>(null);
  const [words, setWords] = useState<WordRow[] | null>(null);
  const [history, setHistory] = useState<Batch[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);
  const [playing, setPlaying] = useState<string | null>(null);
  const audioRef = useRef<HTMLAudioElement>(null);
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

  // The history; on the first load, follow the newest batch still running (a reopened page).
  const followedOnce = useRef(false);
  useEffect(() => {
    client.listBatches(BATCH_HISTORY_LIMIT).then((bs) => {
      setHistory(bs);
      if (!followedOnce.current) {
        followedOnce.current = true;
        const running = bs.find((b) => batchIsActive(b));
        if (running) q.follow(running.id);
      }
    }).catch(report);
    // q.follow is a state setter (stable); listing q would reload on every render.
  }, [client, report, refresh]);

  // When the followed batch finishes, the counts, states and history change: reload them.
  const wasGenerating = useRef(false);
  useEffect(() => {
    if (wasGenerating.current && !q.isGenerating) reload();
    wasGenerating.current = q.isGenerating;
  }, [q.isGenerating, reload]);

  // A 401 from the follow snapshots means the token expired (other follow errors show in the
  // batch panel, and the follow retries them itself).
  useEffect(() => {
    if (isUnauthorized(q.error)) report(q.error);
  }, [q.error, report]);

  function started(
    res: { batchId: string | null; message?: string; queued: number },
  ) {
    setNotice(
      res.batchId
        ? `Batch started: ${res.queued} segments queued.`
        : res.message ?? "Nothing to do.",
    );
    reload();
  }

  function generateGrade() {
    if (grade === null) return;
    setNotice(null);
    q.start({ grade, missingOnly: true }).then(started).catch(report);
  }

  async function generateAll() {
    setNotice("Collecting the words that need audio…");
    try {
      const chunks = await wordIdChunksNeedingAudio(client, grades ?? []);
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

  async function play(wordId: string, kind: SegmentKind) {
    const key = segmentKey(wordId, kind);
    setPlaying(key);
    try {
      const url = await client.audioUrl(wordId, kind);
      const audio = audioRef.current;
      if (!audio) return;
      audio.src = url;
      await audio.play();
    } catch (err) {
      // Media errors ("no supported source") say nothing about which audio: name it.
      const media = !(err instanceof AudioQueueError) && err instanceof Error;
      report(
        media
          ? new Error(`Could not play the ${kind} audio of word ${wordId}: ${err.message}`)
          : err,
      );
    } finally {
      setPlaying(null);
    }
  }

  return (
    <div className="page">
      <header>
        <h1>Audio queue</h1>
        <span className="who">
          Signed in as <code>{userId}</code>{" "}
          <button type="button" onClick={() => signOut()}>Sign out</button>
        </span>
      </header>
      {notice && <p className="notice" role="status" data-testid="notice">{notice}</p>}
      <GradePicker
        grades={grades}
        grade={grade}
        busy={q.starting}
        onGrade={(g) => {
          setWords(null);
          setGrade(g);
        }}
        onGenerateGrade={generateGrade}
        onGenerateAll={() => void generateAll()}
      />
      <div className="columns">
        <div className="main-column">
          <BatchPanel
            q={q}
            onCancel={() => q.cancel().then(reload).catch(report)}
            onRetry={() =>
              q.retryFailed().then((r) =>
                r && setNotice(`${r.requeued} failed segments queued again.`)
              ).catch(report)}
          />
          <WordsTable
            words={words}
            live={q.isGenerating ? q.segments : NO_LIVE}
            playing={playing}
            onPlay={(w, k) => void play(w, k)}
          />
        </div>
        <BatchHistory
          batches={history}
          followed={q.batchId}
          onFollow={(id) => q.follow(id)}
          onRefresh={reload}
        />
      </div>
      <audio
        ref={audioRef}
        data-testid="audio-player"
        controls
        preload="none"
      />
    </div>
  );
}
