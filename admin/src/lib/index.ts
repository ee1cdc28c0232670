// The audio-queue client module: typed server calls and live batch following. No React, no DOM:
// usable from any Supabase app (and from Deno tests).

export { createAudioQueueClient } from "./client.ts";
export type { AudioQueueClient, AudioQueueClientOptions } from "./client.ts";
export { AudioQueueError } from "./errors.ts";
export type { FieldProblem } from "./errors.ts";
export { followBatch } from "./follow/follow_batch.ts";
export { followBatchList } from "./follow/follow_list.ts";
export type { BatchListFollow, BatchListOptions } from "./follow/follow_list.ts";
export type {
  Connection,
  FollowClient,
  FollowOptions,
  FollowState,
} from "./follow/follow_types.ts";
export { batchIsActive } from "./follow/merge.ts";
export { segmentKey } from "./follow/segment_store.ts";
export type { FunctionsHost, RealtimeHost } from "./supabase_like.ts";
export type { Timers } from "./timers.ts";
export type { Transport } from "./transport.ts";
export * from "./types.ts";
