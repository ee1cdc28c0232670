// The audio-queue client module: typed server calls and live batch following. No React, no DOM:
// usable from any Supabase app (and from Deno tests).

export { createAudioQueueClient, requireUuid } from "./client.ts";
export type { AudioQueueClient, AudioQueueClientOptions } from "./client.ts";
export { AudioQueueError } from "./errors.ts";
export type { FieldProblem } from "./errors.ts";
export { followBatch } from "./follow/follow_batch.ts";
export type { FollowClient } from "./follow/follow_types.ts";
export type { Connection, FollowOptions, FollowState } from "./follow/follow_types.ts";
export { batchIsActive, batchProgress, mergeBatch, segmentIsCurrent } from "./follow/merge.ts";
export { segmentKey } from "./follow/segment_store.ts";
export type { FunctionsHost, RealtimeHost } from "./supabase_like.ts";
export { etaSeconds, ThroughputMeter } from "./follow/throughput.ts";
export type { Timers } from "./timers.ts";
export type { Transport } from "./transport.ts";
export * from "./types.ts";
