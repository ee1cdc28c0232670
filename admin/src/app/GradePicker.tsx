// The grade picker, the chosen grade's counts on a line of their own, and the two "generate"
// buttons (each off while its request is in flight or while it has nothing to generate).

import type { GradeSummary } from "../lib/index.ts";
import { ActionButton } from "./ActionButton.tsx";

interface GradePickerProps {
  grades: GradeSummary[] | null;
  grade: number | null;
  busyGrade: boolean;
  busyAll: boolean;
  onGrade(grade: number): void;
  onGenerateGrade(): void;
  onGenerateAll(): void;
}

/** Segments of a grade that generating would queue: missing, stale or failed. */
export function needingAudio(g: GradeSummary): number {
  return g.missing + g.stale + g.failed;
}

function optionLabel(g: GradeSummary): string {
  return `Grade ${g.grade} (${g.words} words)`;
}

export function GradePicker(p: GradePickerProps) {
  const current = p.grades?.find((g) => g.grade === p.grade) ?? null;
  const totalMissing = (p.grades ?? []).reduce((n, g) => n + needingAudio(g), 0);
  const gradeMissing = current ? needingAudio(current) : 0;
  return (
    <section className="grades" aria-label="Grades">
      <label>
        Grade{" "}
        <select
          data-testid="grade-select"
          value={p.grade ?? ""}
          disabled={!p.grades || p.grades.length === 0}
          onChange={(e) => p.onGrade(Number(e.target.value))}
        >
          {!p.grades && <option value="">Loading grades…</option>}
          {p.grades?.length === 0 && <option value="">No words yet</option>}
          {p.grades?.map((g) => <option key={g.grade} value={g.grade}>{optionLabel(g)}</option>)}
        </select>
      </label>
      {current && (
        <p className="grade-counts" data-testid="grade-counts">
          {current.ready} ready · {current.missing} missing · {current.stale} stale ·{" "}
          {current.pending} pending · {current.failed} failed
        </p>
      )}
      <div className="grade-actions">
        <ActionButton
          testId="generate-missing"
          busy={p.busyGrade}
          unavailable={!current || gradeMissing === 0}
          onPress={p.onGenerateGrade}
          description="Queue every missing, stale or failed segment of this grade"
        >
          {p.busyGrade ? "Starting…" : "Generate all missing"}
          {current ? ` (grade ${current.grade}: ${gradeMissing})` : ""}
        </ActionButton>
        <ActionButton
          testId="generate-all"
          busy={p.busyAll}
          unavailable={!p.grades || totalMissing === 0}
          onPress={p.onGenerateAll}
          description="Queue every missing, stale or failed segment of every grade"
        >
          {p.busyAll ? "Starting…" : "Generate all missing for all grades"} ({totalMissing})
        </ActionButton>
      </div>
    </section>
  );
}
