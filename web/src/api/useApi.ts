/** A request a page shows: loading, its data or its problem, and a way to ask again. */
import { useCallback, useEffect, useState } from "preact/hooks";
import { problemOf, unreachable, type Problem } from "./problems";

/** What openapi-fetch answers: data on success, the error body otherwise. */
export interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

export type Loaded<T> =
  | { state: "loading" }
  | { state: "done"; data: T }
  | { state: "failed"; problem: Problem };

/** The answer's data, or a thrown Problem (for handlers that act and then show the result). */
export async function settled<T>(request: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await request;
  } catch (reason) {
    throw unreachable(reason);
  }
  if (answer.data === undefined || !answer.response.ok) {
    throw problemOf(answer.response, answer.error);
  }
  return answer.data;
}

export function useApi<T>(load: () => Promise<Answer<T>>, deps: unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    settled(load()).then(
      (data) => current && setLoaded({ state: "done", data }),
      (problem: Problem) => current && setLoaded({ state: "failed", problem }),
    );
    return () => void (current = false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, round]);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  return [loaded, reload];
}
