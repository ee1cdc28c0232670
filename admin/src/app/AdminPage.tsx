// The admin page proper: grade picker and words with their audio states, the generate buttons,
// the followed batch's live progress, the batch history, and the paused-provider banner. Data
// comes from admin-api (page_data.ts); live state from useAudioQueue (Realtime plus snapshots);
// the provider circuit from circuit.ts, the concurrency limit from limit.ts, the health warning's
// problems from health.ts; the buttons' work is page_actions.ts and player.ts; a large batch waits
// in ConfirmStart for the admin's answer. Landmarks: a skip
// link, the header, one main.

import { useCallback, useEffect, useRef } from "react";
import { useAudioQueue } from "../hooks/index.ts";
import { BatchHistory } from "./BatchHistory.tsx";
import { BatchPanel } from "./BatchPanel.tsx";
import { CircuitBanner } from "./CircuitBanner.tsx";
import { ConfirmStart } from "./ConfirmStart.tsx";
import { useCircuit } from "./circuit.ts";
import { useConcurrencyLimit } from "./limit.ts";
import { LimitStatus } from "./LimitStatus.tsx";
import { GradePicker } from "./GradePicker.tsx";
import { useHealthProblems } from "./health.ts";
import { HealthWarning } from "./HealthWarning.tsx";
import { noticeIsCurrent } from "./notice.ts";
import { usePageActions } from "./page_actions.ts";
import { usePageData } from "./page_data.ts";
import { usePlayer } from "./player.ts";
import { isUnauthorized, useSession } from "./session.tsx";
import { useWordNames } from "./word_names.ts";
import { KIND_LABEL, WordsTable } from "./WordsTable.tsx";
import type { SegmentKind } from "../lib/index.ts";

const NO_LIVE = new Map();

/** who: the signed-in admin's email, or their user id when the token names no email. */
export function AdminPage({ who, userId }: { who: string; userId: string }) {
  const { signOut, report } = useSession();
  const q = useAudioQueue();
  const data = usePageData(q, report);
  const player = usePlayer(report);
  const act = usePageActions(q, data, report);
  const problems = useHealthProblems(data.history, report);
  const circuit = useCircuit(report);
  const limit = useConcurrencyLimit(report);
  const wordName = useWordNames(data.words.rows);
  // Stable callbacks for the words table (memoized: a grade can hold thousands of rows, and the
  // rest of the page re-renders on every progress update).
  const latest = useRef({ player, act });
  latest.current = { player, act };
  const onPlay = useCallback((w: string, k: SegmentKind) => {
    const label = `“${wordName(w) ?? "?"}” — ${KIND_LABEL[k].toLowerCase()}`;
    void latest.current.player.play(w, k, label);
  }, [wordName]);
  const onRegenerate = useCallback((w: string) => latest.current.act.regenerateWord(w), []);
  // Following a batch of one grade from the history shows that grade's words too.
  const follow = (id: string) => {
    q.follow(id);
    const grade = data.history?.find((b) => b.id === id)?.grade;
    if (grade != null && grade !== data.grade) data.chooseGrade(grade);
  };
  const notice = noticeIsCurrent(act.notice, {
      followed: q.batchId,
      batch: q.batch,
      grade: data.grade,
    })
    ? act.notice
    : null;

  // A 401 from the follow snapshots means the token expired (other follow errors show in the
  // batch panel, and the follow retries them itself).
  useEffect(() => {
    if (isUnauthorized(q.error)) report(q.error);
  }, [q.error, report]);

  return (
    <div className="page">
      <a className="skip-link" href="#main">Skip to the batch and words</a>
      <header>
        <h1>Audio queue</h1>
        <span className="who">
          Signed in as <strong data-testid="signed-in-as">{who}</strong>{" "}
          <button type="button" onClick={() => signOut()}>Sign out</button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {data.loadProblem && (
          <p className="problem" role="alert" data-testid="load-problem">
            Could not load the page's data. {data.loadProblem}{" "}
            The page tries again by itself every few seconds and when the connection comes back.
          </p>
        )}
        <HealthWarning problems={problems} />
        <CircuitBanner
          circuit={circuit.circuit}
          resuming={circuit.resuming}
          onResume={() => circuit.resume(data.reload)}
        />
        <LimitStatus limit={limit} />
        {notice && <p className="notice" data-testid="notice">{notice.text}</p>}
        <GradePicker
          grades={data.grades}
          grade={data.grade}
          busyGrade={act.busy.has("grade") || q.starting}
          busyAll={act.busy.has("all")}
          onGrade={data.chooseGrade}
          onGenerateGrade={act.generateGrade}
          onGenerateAll={act.generateAll}
        />
        {act.pendingStart && (
          <ConfirmStart
            pending={act.pendingStart}
            onConfirm={act.confirmStart}
            onCancel={act.cancelStart}
          />
        )}
        <div className="columns">
          <div className="main-column">
            <BatchPanel
              q={q}
              cancelling={act.busy.has("cancel")}
              retrying={act.busy.has("retry")}
              onCancel={act.cancel}
              onRetry={act.retryFailed}
              wordName={wordName}
            />
            <WordsTable
              list={data.words}
              live={q.isGenerating ? q.segments : NO_LIVE}
              playing={player.playing}
              onPlay={onPlay}
              regenerating={act.regenerating}
              onRegenerate={onRegenerate}
            />
          </div>
          <BatchHistory
            batches={data.history}
            followed={q.batchId}
            live={q.batch}
            me={userId}
            canShowMore={data.canShowMore}
            onFollow={follow}
            onRefresh={data.reload}
            onShowMore={data.showMore}
          />
        </div>
        <div className={player.nowPlaying ? "player playing" : "player"} data-testid="player">
          <span className="now-playing" data-testid="now-playing">
            {player.nowPlaying ? `Playing ${player.nowPlaying}` : "Nothing played yet"}
          </span>
          <audio
            ref={player.audioRef}
            data-testid="audio-player"
            aria-label="Audio player"
            controls
            preload="none"
          />
        </div>
      </main>
    </div>
  );
}
