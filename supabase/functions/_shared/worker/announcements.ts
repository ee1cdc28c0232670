// A run's LISTENs: freed permits (audio.permit_channel(), permit_gate.ts) and cancels
// (audio.cancel_channel(), cancel_watch.ts). Each announcement only wakes a poll early, so a
// LISTEN that fails costs speed, never correctness: the poll goes on at its short period.
import { errorText, type OnEvent } from "./events.ts";

/** A subscription: calls `on` per notification; resolves to its unsubscribe, or rejects. */
export type Listen<F> = (on: F) => Promise<() => Promise<void>>;

/** Subscribes `on`; onListening once the LISTEN is in place (the poll may then slow to its
 * fallback period). Resolves to the unsubscribe, or null without a LISTEN (none given, or it
 * failed: reported as an error event naming `what`, and the poll alone finds it). */
export async function listenOrPoll<F>(
  what: string,
  listen: Listen<F> | undefined,
  on: F,
  onListening: () => void,
  onEvent?: OnEvent,
): Promise<(() => Promise<void>) | null> {
  if (!listen) return null;
  try {
    const unlisten = await listen(on);
    onListening();
    return unlisten;
  } catch (err) {
    onEvent?.({
      type: "error",
      segmentId: 0,
      error: `LISTEN for ${what} failed, polling instead: ${errorText(err)}`,
    });
    return null;
  }
}
