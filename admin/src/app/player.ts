// Playing a word's audio: a signed URL from admin-api, played in the page's one <audio> element,
// and what it is playing (its label, shown beside the player).

import { type RefObject, useRef, useState } from "react";
import { useAudioQueueContext } from "../hooks/index.ts";
import { AudioQueueError, segmentKey, type SegmentKind } from "../lib/index.ts";

export interface Player {
  audioRef: RefObject<HTMLAudioElement | null>;
  /** segmentKey of the audio being fetched and started, if any. */
  playing: string | null;
  /** What the player holds now ("“apple” — definition"), once it started. */
  nowPlaying: string | null;
  play(wordId: string, kind: SegmentKind, label: string): Promise<void>;
}

export function usePlayer(report: (err: unknown) => void): Player {
  const { client } = useAudioQueueContext();
  const [playing, setPlaying] = useState<string | null>(null);
  const [nowPlaying, setNowPlaying] = useState<string | null>(null);
  const audioRef = useRef<HTMLAudioElement>(null);

  async function play(wordId: string, kind: SegmentKind, label: string) {
    setPlaying(segmentKey(wordId, kind));
    try {
      const url = await client.audioUrl(wordId, kind);
      const audio = audioRef.current;
      if (!audio) return;
      audio.src = url;
      setNowPlaying(label);
      await audio.play();
    } catch (err) {
      // Media errors ("no supported source") say nothing about which audio: name it.
      const media = !(err instanceof AudioQueueError) && err instanceof Error;
      report(
        media
          ? new Error(`Could not play the ${kind} audio of word ${wordId}: ${err.message}`)
          : err,
      );
    } finally {
      setPlaying(null);
    }
  }

  return { audioRef, playing, nowPlaying, play };
}
