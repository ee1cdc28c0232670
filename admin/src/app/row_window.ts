// Which rows of a long list to render: every row is `rowPx` tall, so the scroll box's scrollTop
// and height say which rows are in view; those plus `overscan` rows each side are the window, and
// spacers of the right heights stand in for the rest (the caller draws them).

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { windowOf } from "./window_of.ts";

export interface RowWindow {
  /** First rendered row (inclusive) and last (exclusive). */
  first: number;
  end: number;
  /** The scroll box (a callback ref). */
  boxRef(el: HTMLElement | null): void;
  /** For the box's onScroll. */
  onScroll(): void;
}

export function useRowWindow(count: number, rowPx: number, overscan: number): RowWindow {
  const box = useRef<HTMLElement | null>(null);
  const observer = useRef<ResizeObserver | null>(null);
  // The rows in view, as whole rows: scrolling within a row changes nothing, so renders nothing.
  const [seen, setSeen] = useState({ from: 0, to: 0 });

  const measure = useCallback(() => {
    const el = box.current;
    if (!el) return;
    const from = Math.floor(el.scrollTop / rowPx);
    const to = Math.ceil((el.scrollTop + el.clientHeight) / rowPx);
    setSeen((s) => (s.from === from && s.to === to ? s : { from, to }));
  }, [rowPx]);

  const boxRef = useCallback((el: HTMLElement | null) => {
    observer.current?.disconnect();
    box.current = el;
    if (!el) return;
    observer.current = new ResizeObserver(measure);
    observer.current.observe(el);
    measure();
  }, [measure]);
  useEffect(() => () => observer.current?.disconnect(), []);
  // Fewer rows than before may have moved the box's scrollTop (the browser clamps it).
  useLayoutEffect(measure, [count, measure]);

  return { ...windowOf(count, seen, overscan), boxRef, onScroll: measure };
}
