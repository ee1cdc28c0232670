// The words table's tools: a search by word and a state filter, both answered by the server
// (word_list.ts), and how many of the matching words are loaded ("200 of 8,334 words").

import type { SegState } from "../lib/index.ts";
import type { WordList } from "./word_list.ts";

/** The states a word can be filtered by, in the order a content team looks for them. */
const FILTER_STATES: SegState[] = ["failed", "stale", "missing", "ready", "queued", "generating"];

const count = (n: number) => n.toLocaleString("en-US");

export function WordFilters({ list }: { list: WordList }) {
  return (
    <div className="word-tools">
      <label>
        Search words{" "}
        <input
          type="search"
          data-testid="word-search"
          value={list.search}
          placeholder="e.g. apple"
          onChange={(e) => list.setSearch(e.target.value)}
        />
      </label>
      <label>
        State{" "}
        <select
          data-testid="word-state"
          value={list.state ?? ""}
          onChange={(e) => list.setState((e.target.value || null) as SegState | null)}
        >
          <option value="">All states</option>
          {FILTER_STATES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </label>
      <span className="words-count" data-testid="words-count" aria-busy={list.loading}>
        {list.rows === null || list.total === null
          ? "Loading words…"
          : `${count(list.rows.length)} of ${count(list.total)} words`}
      </span>
    </div>
  );
}
