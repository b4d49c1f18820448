/** Under a list read a page at a time: why the last page failed, and "show more". */
import type { Pages } from "../api/usePages";
import { ProblemNotice } from "./Status";

export function More<T>(props: { pages: Pages<T>; label: string }) {
  const { pages } = props;
  return (
    <>
      {pages.problem && <ProblemNotice problem={pages.problem} />}
      {pages.cursor && <button type="button" class="button" onClick={() => void pages.more()}>{props.label}</button>}
    </>
  );
}
