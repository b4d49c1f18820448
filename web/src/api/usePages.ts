/** A list read a page at a time: the pages so far, and "show more" while there is a cursor. */
import { useState } from "preact/hooks";
import { asProblem, type Problem } from "./problems";
import { settled, type Answer } from "./useApi";

export interface Pages<T> {
  items: T[];
  cursor: string | null;
  problem: Problem | null;
  more: () => Promise<void>;
}

export function usePages<T, P extends { next_cursor: string | null }>(
  first: T[],
  firstCursor: string | null,
  next: (cursor: string) => Promise<Answer<P>>,
  itemsOf: (page: P) => T[],
): Pages<T> {
  const [items, setItems] = useState(first);
  const [cursor, setCursor] = useState(firstCursor);
  const [problem, setProblem] = useState<Problem | null>(null);
  const more = async () => {
    if (!cursor) return;
    try {
      const page = await settled(next(cursor));
      setItems([...items, ...itemsOf(page)]);
      setCursor(page.next_cursor);
      setProblem(null);
    } catch (failure) {
      setProblem(asProblem(failure));
    }
  };
  return { items, cursor, problem, more };
}
