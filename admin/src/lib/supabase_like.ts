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

/** One postgres_changes message as realtime-js hands it to the callback. */
export interface PostgresChangePayload {
  eventType: "INSERT" | "UPDATE" | "DELETE";
  schema: string;
  table: string;
  commit_timestamp: string;
  new: Record<string, unknown>;
  old: Record<string, unknown>;
}

export interface PostgresChangesFilter {
  event: "*";
  schema: string;
  table: string;
  filter?: string;
}

/** realtime-js reports these to subscribe's callback; SUBSCRIBED again after every rejoin. */
export type SubscribeStatus =
  | "SUBSCRIBED"
  | "TIMED_OUT"
  | "CLOSED"
  | "CHANNEL_ERROR";

export interface ChannelLike {
  on(
    type: "postgres_changes",
    filter: PostgresChangesFilter,
    callback: (payload: PostgresChangePayload) => void,
  ): ChannelLike;
  subscribe(
    callback?: (status: `${SubscribeStatus}`, err?: Error) => void,
  ): ChannelLike;
}

/** The client as followBatch needs it: channels and the Realtime token. */
export interface RealtimeHost {
  channel(name: string): ChannelLike;
  removeChannel(channel: ChannelLike): Promise<unknown>;
  realtime: { setAuth(token?: string | null): Promise<void> | void };
}

/** The client as createAudioQueueClient needs it. */
export interface FunctionsHost {
  functions: FunctionsLike;
}
