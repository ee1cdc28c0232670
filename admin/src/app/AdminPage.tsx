// The admin page proper: grade picker and words with their audio states, the generate buttons,
// the followed batch's live progress, the batch history, and the paused-provider banner. Data
// comes from admin-api (page_data.ts); live state from useAudioQueue (Realtime plus snapshots);
// the provider circuit from circuit.ts, the concurrency limit from limit.ts, the health warning's
// problems from health.ts; the buttons'
// work is page_actions.ts and player.ts.

import { useEffect } from "react";
import { useAudioQueue } from "../hooks/index.ts";
import { BatchHistory } from "./BatchHistory.tsx";
import { BatchPanel } from "./BatchPanel.tsx";
import { CircuitBanner } from "./CircuitBanner.tsx";
import { useCircuit } from "./circuit.ts";
import { useConcurrencyLimit } from "./limit.ts";
import { LimitStatus } from "./LimitStatus.tsx";
import { GradePicker } from "./GradePicker.tsx";
import { useHealthProblems } from "./health.ts";
import { HealthWarning } from "./HealthWarning.tsx";
import { usePageActions } from "./page_actions.ts";
import { usePageData } from "./page_data.ts";
import { usePlayer } from "./player.ts";
import { isUnauthorized, useSession } from "./session.tsx";
import { WordsTable } from "./WordsTable.tsx";

const NO_LIVE = new Map();

export function AdminPage({ userId }: { userId: string }) {
  const { signOut, report } = useSession();
  const q = useAudioQueue();
  const data = usePageData(q, report);
  const player = usePlayer(report);
  const act = usePageActions(q, data, report);
  const problems = useHealthProblems(data.history, report);
  const circuit = useCircuit(report);
  const limit = useConcurrencyLimit(report);

  // A 401 from the follow snapshots means the token expired (other follow errors show in the
  // batch panel, and the follow retries them itself).
  useEffect(() => {
    if (isUnauthorized(q.error)) report(q.error);
  }, [q.error, report]);

  return (
    <div className="page">
      <header>
        <h1>Audio queue</h1>
        <span className="who">
          Signed in as <code>{userId}</code>{" "}
          <button type="button" onClick={() => signOut()}>Sign out</button>
        </span>
      </header>
      <HealthWarning problems={problems} />
      <CircuitBanner
        circuit={circuit.circuit}
        resuming={circuit.resuming}
        onResume={() => circuit.resume(data.reload)}
      />
      <LimitStatus limit={limit} />
      {act.notice && <p className="notice" role="status" data-testid="notice">{act.notice}</p>}
      <GradePicker
        grades={data.grades}
        grade={data.grade}
        busy={q.starting}
        onGrade={data.chooseGrade}
        onGenerateGrade={act.generateGrade}
        onGenerateAll={() => void act.generateAll()}
      />
      <div className="columns">
        <div className="main-column">
          <BatchPanel q={q} onCancel={act.cancel} onRetry={act.retryFailed} />
          <WordsTable
            words={data.words}
            live={q.isGenerating ? q.segments : NO_LIVE}
            playing={player.playing}
            onPlay={(w, k) => void player.play(w, k)}
          />
        </div>
        <BatchHistory
          batches={data.history}
          followed={q.batchId}
          onFollow={(id) => q.follow(id)}
          onRefresh={data.reload}
        />
      </div>
      <audio
        ref={player.audioRef}
        data-testid="audio-player"
        controls
        preload="none"
      />
    </div>
  );
}
