// The word of a word id, for the words the page has loaded (the shown grade's): failures name
// their word with it.

import { useCallback, useMemo } from "react";
import type { WordRow } from "../lib/index.ts";

export function useWordNames(words: WordRow[] | null): (wordId: string) => string | undefined {
  const byId = useMemo(() => new Map((words ?? []).map((w) => [w.id, w.word])), [words]);
  return useCallback((id: string) => byId.get(id), [byId]);
}
