// While the channel is joined and the batch is active, re-read the batch row now and then: a
// message lost on the way must not leave the page short of the end forever. A batch found ended
// this way has its segments reloaded too, so none is left showing as generating. readNow() reads
// the row at once (a progress message moved the status and the row's times are wanted).

import type { Repeater, Timers } from "../timers.ts";
import { repeatWhile } from "../timers.ts";
import type { FollowClient } from "./follow_types.ts";
import type { HeldBatch } from "./held.ts";
import { batchIsActive } from "./merge.ts";

interface LiveCheckDeps {
  timers: Timers;
  /** How often to read the batch row. */
  liveCheckMs: number;
  client: Pick<FollowClient, "getBatch">;
  held: HeldBatch;
  /** The channel is joined. */
  joined(): boolean;
  /** A snapshot is loading (it reads the row itself, so a check then would only repeat it). */
  loading(): boolean;
  /** The check found the batch ended: reload the segments. */
  ended(): void;
}

interface LiveCheck extends Repeater {
  /** Reads the row now (while joined and no snapshot is loading). */
  readNow(): void;
}

/** The check's timer; call sync() whenever the connection or the held batch changes. */
export function createLiveCheck(deps: LiveCheckDeps): LiveCheck {
  let stopped = false;

  async function check(): Promise<void> {
    if (!deps.joined() || deps.loading()) return;
    let row;
    try {
      row = await deps.client.getBatch(deps.held.batchId);
    } catch {
      return; // the next check, an event or a rejoin will do
    }
    if (stopped) return;
    const wasActive = batchIsActive(deps.held.batch);
    deps.held.takeBatch(row);
    if (wasActive && !batchIsActive(deps.held.batch)) deps.ended();
  }

  const timer = repeatWhile(
    deps.timers,
    deps.liveCheckMs,
    () => deps.joined() && batchIsActive(deps.held.batch),
    check,
  );
  return {
    sync: timer.sync,
    readNow: () => void check(),
    stop() {
      stopped = true;
      timer.stop();
    },
  };
}
