// A button that starts a request: while the request is in flight, or while there is nothing for it
// to do, it is marked aria-disabled (not disabled) and ignores presses. A disabled button would
// drop the keyboard focus the moment Enter pressed it; this one keeps it, and says it is busy.

import type { ReactNode } from "react";

interface ActionButtonProps {
  testId: string;
  /** A request of this button is in flight. */
  busy: boolean;
  /** Nothing to do now (e.g. a count of 0). */
  unavailable?: boolean;
  onPress(): void;
  /** What the button does, as its tooltip. */
  description?: string;
  children: ReactNode;
}

export function ActionButton(p: ActionButtonProps) {
  const off = p.busy || !!p.unavailable;
  return (
    <button
      type="button"
      data-testid={p.testId}
      aria-disabled={off}
      aria-busy={p.busy}
      title={p.description}
      onClick={() => {
        if (!off) p.onPress();
      }}
    >
      {p.children}
    </button>
  );
}
