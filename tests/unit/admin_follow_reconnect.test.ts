// Unit tests of followBatch's connection piece (admin/src/lib/follow/reconnect.ts) with a
// hand-driven clock: subscribe status to connection state, a snapshot asked for on every join, a
// fallback poll every fallbackPollMs while not joined, and stop.

import assert from "node:assert/strict";
import { createReconnect } from "../../admin/src/lib/follow/reconnect.ts";
import { FakeTimers } from "../helpers/admin_fakes.ts";
import { test } from "../helpers/strict.ts";

function rig() {
  const timers = new FakeTimers();
  const calls: string[] = [];
  const link = createReconnect({
    timers,
    fallbackPollMs: 5000,
    joined: () => calls.push("joined"),
    poll: () => calls.push(`poll at ${timers.now() - 1_000_000}`),
    changed: (c, err) => calls.push(`changed ${c}${err ? ` (${err.message})` : ""}`),
  });
  return { timers, calls, link };
}

test("connecting at first, polling every fallbackPollMs until the first SUBSCRIBED", () => {
  const r = rig();
  assert.equal(r.link.connection, "connecting");
  r.timers.advance(4999);
  assert.deepEqual(r.calls, [], "no poll before fallbackPollMs");
  r.timers.advance(10_001);
  assert.deepEqual(r.calls, ["poll at 5000", "poll at 10000", "poll at 15000"]);

  r.link.onStatus("SUBSCRIBED");
  assert.equal(r.link.connection, "live");
  assert.deepEqual(r.calls.slice(3), ["joined", "changed live"], "the snapshot is asked for first");
  assert.equal(r.timers.pendingCount, 0, "joining stops the poll timer at once");
  r.timers.advance(60_000);
  assert.equal(r.calls.length, 5, "no poll while joined");
  assert.equal(r.timers.pendingCount, 0);
  r.link.stop();
});

test("a drop means reconnecting with its error and polling again; every rejoin asks for a snapshot", () => {
  for (const drop of ["CHANNEL_ERROR", "TIMED_OUT"] as const) {
    const r = rig();
    r.timers.advance(2000);
    r.link.onStatus("SUBSCRIBED");
    r.calls.length = 0;
    r.timers.advance(1000);
    r.link.onStatus(drop, new Error("socket closed"));
    assert.equal(r.link.connection, "reconnecting");
    r.timers.advance(5000);
    r.link.onStatus("SUBSCRIBED");
    r.timers.advance(20_000);
    assert.deepEqual(r.calls, [
      "changed reconnecting (socket closed)",
      "poll at 8000", // fallbackPollMs after the drop
      "joined",
      "changed live",
    ], drop);
    r.link.stop();
  }
});

test("CLOSED (the server closed the channel): reconnecting and polling, no error; the rejoin asks for a snapshot", () => {
  const r = rig();
  r.link.onStatus("SUBSCRIBED");
  r.calls.length = 0;
  r.link.onStatus("CLOSED", new Error("server closed the channel"));
  assert.equal(r.link.connection, "reconnecting");
  r.timers.advance(5000);
  r.link.onStatus("SUBSCRIBED"); // topic_channel.ts joined it again
  assert.equal(r.link.connection, "live");
  r.timers.advance(20_000);
  assert.deepEqual(r.calls, ["changed reconnecting", "poll at 5000", "joined", "changed live"]);
  r.link.stop();
});

test("stop(): no poll, statuses ignored, no timer left", () => {
  const r = rig();
  r.link.stop();
  assert.equal(r.timers.pendingCount, 0);
  r.link.onStatus("SUBSCRIBED");
  r.timers.advance(60_000);
  assert.deepEqual(r.calls, []);
  assert.equal(r.link.connection, "connecting");
});
