// One private Realtime channel per topic and client, shared by everything that follows the topic:
// the one piece that knows the transport. realtime-js hands back the channel it already has for a
// topic and refuses to subscribe it twice, and removing it ends it for every holder; so followers
// join here with a listener each, and the channel goes when the last one leaves. A follower that
// joins while its topic's previous channel is still being removed (a quick remount) waits for the
// removal first, so it never gets the closing channel back.
// A channel the server closes (Realtime shuts one down over the project's messages per second, or
// when its token expired or lost access) is CLOSED for good in realtime-js, which forgets it:
// while followers still listen, the topic is joined again here on a new channel, after a fresh
// token (setAuth, as the followers authorized) and a growing wait (REJOIN_AFTER_CLOSE_MS). The
// followers hear CLOSED, then SUBSCRIBED again, and load their snapshot as after any rejoin.

import { REJOIN_AFTER_CLOSE_MS, REJOIN_STABLE_MS } from "../config.ts";
import type { ChannelLike, RealtimeHost, SubscribeStatus } from "../supabase_like.ts";
import { realTimers, type Timers } from "../timers.ts";

export interface TopicListener {
  /** A Broadcast message on the topic (any event). */
  message(event: string, payload: Record<string, unknown>): void;
  /** The channel's status as realtime-js reports it: SUBSCRIBED after every (re)join. A listener
   * that joins a channel already subscribed hears its last status at once. CLOSED: the server
   * closed the channel; it is joined again (SUBSCRIBED follows when it is back). */
  status(status: `${SubscribeStatus}`, err?: Error): void;
}

interface Shared {
  listeners: Set<TopicListener>;
  last: { status: `${SubscribeStatus}`; err?: Error } | null;
  close(): void;
}

const open = new WeakMap<RealtimeHost, Map<string, Shared>>();
const removing = new WeakMap<RealtimeHost, Map<string, Promise<unknown>>>();
// The token each client's followers authorized Realtime with (undefined: the client's own session
// or accessToken callback), so a rejoin after a close refreshes it the same way.
const tokens = new WeakMap<RealtimeHost, { token: string | undefined }>();

function mapOf<V>(registry: WeakMap<RealtimeHost, Map<string, V>>, host: RealtimeHost) {
  let m = registry.get(host);
  if (!m) registry.set(host, m = new Map());
  return m;
}

function openShared(host: RealtimeHost, topic: string, timers: Timers): Shared {
  const shared: Shared = { listeners: new Set(), last: null, close };
  let channel: ChannelLike | null = null;
  let closed = false;
  // Rejoins after server closes: how many in a row, when the channel last joined, the wait.
  let closes = 0;
  let joinedAt: number | null = null;
  let rejoin: unknown = null;

  function subscribe(): void {
    if (closed) return;
    const mine = host.channel(topic, { config: { private: true } })
      .on("broadcast", { event: "*" }, (m) => {
        if (closed) return;
        for (const l of [...shared.listeners]) l.message(m.event, m.payload ?? {});
      });
    channel = mine;
    mine.subscribe((status, err) => {
      if (closed || channel !== mine) return;
      if (status === "SUBSCRIBED") joinedAt = timers.now();
      else if (status === "CLOSED") rejoinLater();
      shared.last = { status, err };
      for (const l of [...shared.listeners]) l.status(status, err);
    });
  }

  /** The server closed the channel (our own leave sets `closed` first): realtime-js has dropped
   * it, so a new one joins the topic after a fresh token and a wait that grows while closes keep
   * coming. */
  function rejoinLater(): void {
    if (joinedAt !== null && timers.now() - joinedAt >= REJOIN_STABLE_MS) closes = 0;
    joinedAt = null;
    const wait = REJOIN_AFTER_CLOSE_MS[Math.min(closes, REJOIN_AFTER_CLOSE_MS.length - 1)];
    closes++;
    if (rejoin !== null) timers.clearTimeout(rejoin);
    rejoin = timers.setTimeout(() => {
      rejoin = null;
      if (closed) return;
      void authorizeRealtime(host, tokens.get(host)?.token).catch(() => undefined).then(subscribe);
    }, wait);
  }

  function remove(): Promise<unknown> {
    return channel ? host.removeChannel(channel).catch(() => undefined) : Promise.resolve();
  }

  function close(): void {
    closed = true;
    if (rejoin !== null) timers.clearTimeout(rejoin);
    rejoin = null;
    const pending = mapOf(removing, host);
    const before = pending.get(topic);
    const removal = before ? before.then(remove) : remove();
    pending.set(topic, removal);
    void removal.finally(() => {
      if (pending.get(topic) === removal) pending.delete(topic);
    });
  }

  const before = removing.get(host)?.get(topic);
  if (before) void before.then(subscribe);
  else subscribe();
  return shared;
}

/** Joins `topic` (a private channel) with this listener; returns leave(). After leave() the
 * listener hears nothing more. `timers` time the rejoins after a server close (those of the
 * topic's first follower). */
export function joinTopic(
  host: RealtimeHost,
  topic: string,
  listener: TopicListener,
  timers: Timers = realTimers,
): () => void {
  const topics = mapOf(open, host);
  let shared = topics.get(topic);
  if (!shared) {
    shared = openShared(host, topic, timers);
    topics.set(topic, shared);
  } else if (shared.last) {
    const { status, err } = shared.last;
    const joined = shared;
    queueMicrotask(() => {
      if (joined.listeners.has(listener)) listener.status(status, err);
    });
  }
  shared.listeners.add(listener);
  const mine = shared;
  let left = false;
  return () => {
    if (left) return;
    left = true;
    mine.listeners.delete(listener);
    if (mine.listeners.size > 0) return;
    if (topics.get(topic) === mine) topics.delete(topic);
    mine.close();
  };
}

/** Realtime must carry the admin's JWT before joining: the private topics admit admins only.
 * Without a token, setAuth() takes the client's session or accessToken callback. */
export function authorizeRealtime(host: RealtimeHost, token: string | undefined): Promise<void> {
  tokens.set(host, { token });
  return Promise.resolve().then(() =>
    token !== undefined ? host.realtime.setAuth(token) : host.realtime.setAuth()
  );
}
