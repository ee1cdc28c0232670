// A run's LISTENs (announcements.ts): in place, the poll may slow down and notifications reach
// the subscriber; refused, the failure is reported naming what was listened for and the run polls.
import assert from "node:assert/strict";
import { listenOrPoll } from "../../supabase/functions/_shared/worker/announcements.ts";
import type { WorkerEvent } from "../../supabase/functions/_shared/worker/events.ts";

Deno.test("a LISTEN in place: onListening, notifications reach the subscriber, the unsubscribe is returned", async () => {
  const heard: string[] = [];
  let notify!: (payload: string) => void;
  let unlistened = false;
  let listening = false;
  const unlisten = await listenOrPoll<(payload: string) => void>(
    "cancels",
    (on) => {
      notify = on;
      return Promise.resolve(() => {
        unlistened = true;
        return Promise.resolve();
      });
    },
    (id) => heard.push(id),
    () => (listening = true),
  );
  assert.ok(listening);
  notify("batch-1");
  assert.deepEqual(heard, ["batch-1"]);
  await unlisten!();
  assert.ok(unlistened);
});

Deno.test("a LISTEN refused: reported as an error naming what, onListening never called, null", async () => {
  const events: WorkerEvent[] = [];
  let listening = false;
  const unlisten = await listenOrPoll(
    "freed permits",
    () => Promise.reject(new Error("LISTEN is not supported in transaction pooling mode")),
    () => {},
    () => (listening = true),
    (e) => events.push(e),
  );
  assert.equal(unlisten, null);
  assert.equal(listening, false);
  assert.deepEqual(events, [{
    type: "error",
    segmentId: 0,
    error:
      "LISTEN for freed permits failed, polling instead: LISTEN is not supported in transaction pooling mode",
  }]);
});
