// The connection side of followBatch. realtime-js reports every join and rejoin as SUBSCRIBED and
// a drop as CHANNEL_ERROR or TIMED_OUT (it rejoins by itself); CLOSED is a channel the server
// closed, which topic_channel.ts joins again after a wait, so it is one more way of being away.
// Events sent while away are lost, so every join asks for a snapshot; while not joined, a
// snapshot is polled, so the page stays correct, only less live.

import type { SubscribeStatus } from "../supabase_like.ts";
import { repeatWhile, type Timers } from "../timers.ts";
import type { Connection } from "./follow_types.ts";

interface ReconnectDeps {
  timers: Timers;
  /** How often to poll while not joined. */
  fallbackPollMs: number;
  /** The channel joined (the first time or again): load a snapshot. */
  joined(): void;
  /** Still not joined fallbackPollMs later: load a snapshot. */
  poll(): void;
  /** After every status: the connection now, and the channel's error if a drop came with one. */
  changed(connection: Connection, err?: Error): void;
}

interface Reconnect {
  readonly connection: Connection;
  /** The subscribe callback of the channel. */
  onStatus(status: `${SubscribeStatus}`, err?: Error): void;
  stop(): void;
}

/** Starts in "connecting", polling until the first SUBSCRIBED. */
export function createReconnect(deps: ReconnectDeps): Reconnect {
  let connection: Connection = "connecting";
  let stopped = false;
  const poller = repeatWhile(
    deps.timers,
    deps.fallbackPollMs,
    () => connection !== "live",
    () => {
      deps.poll(); // not awaited: the next poll is due fallbackPollMs after this one started
    },
  );
  poller.sync();

  return {
    get connection() {
      return connection;
    },
    onStatus(status, err) {
      if (stopped) return;
      let dropError: Error | undefined;
      if (status === "SUBSCRIBED") {
        connection = "live";
        deps.joined();
      } else {
        connection = "reconnecting";
        // A close is the server's doing and is joined again: not an error to show.
        if (status !== "CLOSED") dropError = err;
      }
      poller.sync();
      deps.changed(connection, dropError);
    },
    stop() {
      stopped = true;
      poller.stop();
    },
  };
}
