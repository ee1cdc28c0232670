// The banner shown while the provider circuit is open: generation is paused for the whole
// account, why (in plain words and in the provider's own), when the next automatic probe is due,
// and a Resume button for when the admin has fixed the cause.

import type { ProviderCircuit } from "../lib/index.ts";

export function CircuitBanner(
  { circuit, resuming, onResume }: {
    circuit: ProviderCircuit | null;
    resuming: boolean;
    onResume: () => void;
  },
) {
  if (!circuit || circuit.state === "closed") return null;
  const probe = circuit.state === "half_open"
    ? "A probe request is testing the provider now."
    : circuit.nextProbeAt
    ? `The next probe is at ${new Date(circuit.nextProbeAt).toLocaleTimeString()}.`
    : "";
  return (
    <div className="problem banner circuit" role="alert" data-testid="circuit-banner">
      <strong>Generation is paused: {circuit.reason}.</strong> Queued segments wait; none is failed.
      {" "}
      {probe}
      {circuit.providerError && (
        <div className="provider-error">
          The provider said: <code>{circuit.providerError}</code>
        </div>
      )}
      <button type="button" disabled={resuming} onClick={onResume}>
        {resuming ? "Resuming…" : "Resume"}
      </button>
    </div>
  );
}
