// AudioQueueProvider: hands the supabase client and the audio-queue client to the hooks below it.
// Wrap the part of the app that generates audio once; the hooks take nothing else.

import { createContext, type ReactNode, useContext, useMemo } from "react";
import {
  type AudioQueueClient,
  createAudioQueueClient,
  type FollowOptions,
  type FunctionsHost,
  type RealtimeHost,
} from "../lib/index.ts";

interface AudioQueueContextValue {
  supabase: RealtimeHost & FunctionsHost;
  client: AudioQueueClient;
  followOptions: FollowOptions;
}

const AudioQueueContext = createContext<AudioQueueContextValue | null>(null);

export interface AudioQueueProviderProps {
  /** The app's supabase-js client (signed in as an admin). */
  supabase: RealtimeHost & FunctionsHost;
  /** Default: createAudioQueueClient(supabase). */
  client?: AudioQueueClient;
  /** Passed to followBatch by useAudioBatch. */
  followOptions?: FollowOptions;
  children: ReactNode;
}

export function AudioQueueProvider(props: AudioQueueProviderProps) {
  const { supabase, client, followOptions, children } = props;
  const value = useMemo<AudioQueueContextValue>(() => ({
    supabase,
    client: client ?? createAudioQueueClient(supabase),
    followOptions: followOptions ?? {},
  }), [supabase, client, followOptions]);
  return (
    <AudioQueueContext.Provider value={value}>
      {children}
    </AudioQueueContext.Provider>
  );
}

export function useAudioQueueContext(): AudioQueueContextValue {
  const ctx = useContext(AudioQueueContext);
  if (!ctx) {
    throw new Error(
      "useAudioQueue/useAudioBatch: no AudioQueueProvider above this component; wrap the app in <AudioQueueProvider supabase={supabase}>",
    );
  }
  return ctx;
}
