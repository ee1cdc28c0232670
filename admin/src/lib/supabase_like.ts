// The slice of a supabase-js client this module uses, as structural types: a real SupabaseClient
// fits them, and tests pass small fakes. Keeping supabase-js out of the imports also keeps this
// folder runnable under Deno without npm resolution.

/** supabase.functions: only invoke. */
export interface FunctionsLike {
  invoke(
    functionName: string,
    options?: {
      method?: "POST" | "GET" | "PUT" | "PATCH" | "DELETE";
      body?: Record<string, unknown>;
      headers?: Record<string, string>;
    },
  ): Promise<{ data: unknown; error: unknown; response?: Response }>;
}

/** One Broadcast message as realtime-js hands it to an `on("broadcast", ...)` callback. */
export interface BroadcastMessage {
  type: "broadcast";
  event: string;
  payload?: Record<string, unknown>;
  meta?: { id?: string };
}

/** realtime-js reports these to subscribe's callback; SUBSCRIBED again after every rejoin. */
export type SubscribeStatus =
  | "SUBSCRIBED"
  | "TIMED_OUT"
  | "CLOSED"
  | "CHANNEL_ERROR";

export interface ChannelLike {
  on(
    type: "broadcast",
    filter: { event: string },
    callback: (message: BroadcastMessage) => void,
  ): ChannelLike;
  subscribe(
    callback?: (status: `${SubscribeStatus}`, err?: Error) => void,
  ): ChannelLike;
}

/** How followBatch opens a channel: private, so Realtime checks the policies on
 * realtime.messages with the user's JWT before the join is accepted. */
export interface ChannelOptions {
  config: { private: boolean };
}

/** The client as followBatch needs it: channels and the Realtime token. */
export interface RealtimeHost {
  channel(name: string, options: ChannelOptions): ChannelLike;
  removeChannel(channel: ChannelLike): Promise<unknown>;
  realtime: { setAuth(token?: string | null): Promise<void> | void };
}

/** The client as createAudioQueueClient needs it. */
export interface FunctionsHost {
  functions: FunctionsLike;
}
