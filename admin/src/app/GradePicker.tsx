// The grade picker (with each grade's counts) and the two "generate" buttons.

import type { GradeSummary } from "../lib/index.ts";

interface GradePickerProps {
  grades: GradeSummary[] | null;
  grade: number | null;
  busy: boolean;
  onGrade(grade: number): void;
  onGenerateGrade(): void;
  onGenerateAll(): void;
}

function label(g: GradeSummary): string {
  return `Grade ${g.grade} — ${g.words} words, ${g.ready} ready, ${g.missing} missing, ${g.stale} stale, ${g.pending} pending, ${g.failed} failed`;
}

export function GradePicker(p: GradePickerProps) {
  const current = p.grades?.find((g) => g.grade === p.grade) ?? null;
  const totalMissing = (p.grades ?? []).reduce(
    (n, g) => n + g.missing + g.stale + g.failed,
    0,
  );
  return (
    <section className="grades">
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
          {p.grades?.map((g) => <option key={g.grade} value={g.grade}>{label(g)}</option>)}
        </select>
      </label>
      <button
        type="button"
        data-testid="generate-missing"
        disabled={p.busy || !current}
        onClick={p.onGenerateGrade}
        title="Queue every missing or stale segment of this grade"
      >
        Generate all missing{current
          ? ` (grade ${current.grade}: ${current.missing + current.stale + current.failed})`
          : ""}
      </button>
      <button
        type="button"
        data-testid="generate-all"
        disabled={p.busy || !p.grades}
        onClick={p.onGenerateAll}
        title="Queue every missing or stale segment of every grade"
      >
        Generate all missing for all grades ({totalMissing})
      </button>
    </section>
  );
}
