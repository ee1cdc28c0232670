// The confirmation a large batch waits for: what it would generate (segments by kind, the
// provider's requests and characters, the cost when the server knows the price), what it reuses
// or leaves to another batch, and how long it would take at the concurrency limit now. A modal
// dialog: the focus moves to Cancel (the safe answer) when it opens and back to the button that
// asked when it closes, Tab stays inside, Escape cancels.

import { type KeyboardEvent, useEffect, useRef } from "react";
import type { BatchEstimate } from "../lib/index.ts";
import type { PendingStart } from "./estimate_gate.ts";
import { formatDuration } from "./format.ts";

const count = (n: number) => n.toLocaleString("en-US");

/** "about 1.9 s a request, the mean of the last 200" or "…, a default until requests are timed". */
function requestTime(t: BatchEstimate["time"]): string {
  const each = `${(t.typicalRequestMs / 1000).toFixed(1)} s a request`;
  return t.typicalFrom === "measured"
    ? `${each}, the mean of the last ${count(t.timedRequests)} requests`
    : `${each}, a default until requests have been timed here`;
}

function Figures({ e }: { e: BatchEstimate }) {
  const kinds = e.byKind.filter((k) => k.queued > 0)
    .map((k) => `${k.kind} ${count(k.queued)}`).join(" · ");
  return (
    <dl className="estimate">
      <dt>To generate</dt>
      <dd data-testid="estimate-queued">
        {count(e.queued)} segments{kinds && ` (${kinds})`}, {count(e.requests)} provider requests
      </dd>
      <dt>Characters</dt>
      <dd data-testid="estimate-characters">
        {count(e.characters)} (Cartesia bills one credit per character)
      </dd>
      {e.cost && (
        <>
          <dt>Estimated cost</dt>
          <dd data-testid="estimate-cost">
            {e.cost.amount.toFixed(2)} at {e.cost.pricePer1kChars} per 1,000 characters
          </dd>
        </>
      )}
      <dt>Estimated time</dt>
      <dd data-testid="estimate-time">
        about {formatDuration(e.time.seconds)} at {e.time.limit} requests at a time (
        {requestTime(e.time)})
      </dd>
      {e.skipped > 0 && (
        <>
          <dt>Reused</dt>
          <dd data-testid="estimate-skipped">{count(e.skipped)} segments already have audio</dd>
        </>
      )}
      {e.pending > 0 && (
        <>
          <dt>Left out</dt>
          <dd data-testid="estimate-pending">{count(e.pending)} segments another batch holds</dd>
        </>
      )}
    </dl>
  );
}

interface ConfirmStartProps {
  pending: PendingStart;
  onConfirm(): void;
  onCancel(): void;
}

export function ConfirmStart({ pending, onConfirm, onCancel }: ConfirmStartProps) {
  const dialog = useRef<HTMLDivElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  // The control that asked (the generate button keeps the focus while its request runs).
  const opener = useRef(document.activeElement as HTMLElement | null);
  // The latest onCancel, so the page's re-renders (progress) neither re-run the effect below nor
  // move the focus.
  const cancelled = useRef(onCancel);
  cancelled.current = onCancel;

  useEffect(() => {
    cancel.current?.focus();
    const back = opener.current;
    const onKey = (ev: globalThis.KeyboardEvent) => {
      if (ev.key === "Escape") {
        ev.preventDefault();
        cancelled.current();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      if (back?.isConnected) back.focus();
    };
  }, []);

  // Tab and Shift+Tab cycle through the dialog's own controls.
  function keepFocusInside(ev: KeyboardEvent) {
    if (ev.key !== "Tab" || !dialog.current) return;
    const controls = [...dialog.current.querySelectorAll<HTMLElement>("button")];
    const first = controls[0];
    const last = controls[controls.length - 1];
    if (ev.shiftKey && document.activeElement === first) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && document.activeElement === last) {
      ev.preventDefault();
      first.focus();
    }
  }

  const e = pending.estimate;
  return (
    <div className="confirm-backdrop">
      <div
        ref={dialog}
        className="confirm"
        role="dialog"
        aria-modal="true"
        aria-labelledby="confirm-start-title"
        aria-describedby="confirm-start-summary"
        data-testid="confirm-start"
        onKeyDown={keepFocusInside}
      >
        <h2 id="confirm-start-title">Start this batch?</h2>
        <p id="confirm-start-summary">
          {pending.scope}: {count(e.queued)} segments, {count(e.characters)} characters to generate.
        </p>
        <Figures e={e} />
        <div className="confirm-actions">
          <button type="button" ref={cancel} data-testid="confirm-start-cancel" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" data-testid="confirm-start-go" onClick={onConfirm}>
            Start {count(e.queued)} segments
          </button>
        </div>
      </div>
    </div>
  );
}
