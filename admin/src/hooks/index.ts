// The React side of the audio-queue module: provider and hooks.

export { AudioQueueProvider, useAudioQueueContext } from "./context.tsx";
export type { AudioQueueProviderProps } from "./context.tsx";
export { useAudioBatch } from "./useAudioBatch.ts";
export type { AudioBatchView } from "./useAudioBatch.ts";
export { useAudioQueue } from "./useAudioQueue.ts";
export type { AudioQueueView } from "./useAudioQueue.ts";
