// One private Realtime channel per topic and client, shared by everything that follows the topic:
// the one piece that knows the transport. realtime-js hands back the channel it already has for a
// topic and refuses to subscribe it twice, and removing it ends it for every holder; so followers
// join here with a listener each, and the channel goes when the last one leaves. A follower that
// joins while its topic's previous channel is still being removed (a quick remount) waits for the
// removal first, so it never gets the closing channel back.

import type { ChannelLike, RealtimeHost, SubscribeStatus } from "../supabase_like.ts";

export interface TopicListener {
  /** A Broadcast message on the topic (any event). */
  message(event: string, payload: Record<string, unknown>): void;
  /** The channel's status as realtime-js reports it: SUBSCRIBED after every (re)join. A listener
   * that joins a channel already subscribed hears its last status at once. */
  status(status: `${SubscribeStatus}`, err?: Error): void;
}

interface Shared {
  listeners: Set<TopicListener>;
  last: { status: `${SubscribeStatus}`; err?: Error } | null;
  close(): void;
}

const open = new WeakMap<RealtimeHost, Map<string, Shared>>();
const removing = new WeakMap<RealtimeHost, Map<string, Promise<unknown>>>();

function mapOf<V>(registry: WeakMap<RealtimeHost, Map<string, V>>, host: RealtimeHost) {
  let m = registry.get(host);
  if (!m) registry.set(host, m = new Map());
  return m;
}

function openShared(host: RealtimeHost, topic: string): Shared {
  const shared: Shared = { listeners: new Set(), last: null, close };
  let channel: ChannelLike | null = null;
  let closed = false;

  function subscribe(): void {
    if (closed) return;
    channel = host.channel(topic, { config: { private: true } })
      .on("broadcast", { event: "*" }, (m) => {
        if (closed) return;
        for (const l of [...shared.listeners]) l.message(m.event, m.payload ?? {});
      })
      .subscribe((status, err) => {
        if (closed) return;
        shared.last = { status, err };
        for (const l of [...shared.listeners]) l.status(status, err);
      });
  }

  function remove(): Promise<unknown> {
    return channel ? host.removeChannel(channel).catch(() => undefined) : Promise.resolve();
  }

  function close(): void {
    closed = true;
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
 * listener hears nothing more. */
export function joinTopic(host: RealtimeHost, topic: string, listener: TopicListener): () => void {
  const topics = mapOf(open, host);
  let shared = topics.get(topic);
  if (!shared) {
    shared = openShared(host, topic);
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
  return Promise.resolve().then(() =>
    token !== undefined ? host.realtime.setAuth(token) : host.realtime.setAuth()
  );
}
