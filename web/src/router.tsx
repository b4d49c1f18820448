/**
 * The app's client routes under /app/ (the base Vite builds for): the History API, patterns
 * with `:name` parameters, and links that stay in the app. After a navigation, focus moves to
 * the new page's heading, so a keyboard or screen reader user hears where they are.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

const BASE = import.meta.env.BASE_URL; // "/app/"
const CHANGED = "mobilise:navigate";
let navigated = false;

/** The path inside the app, with a leading slash: "/petitions/01J…" for /app/petitions/01J…. */
export function currentPath(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : "";
  return `/${path}`.replace(/\/+$/, "") || "/";
}

/** The address of an app path: href("/new") is "/app/new". */
export function href(path: string): string {
  return BASE + path.replace(/^\/+/, "");
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const target = href(path);
  if (options.replace) history.replaceState(null, "", target);
  else history.pushState(null, "", target);
  window.dispatchEvent(new Event(CHANGED));
}

/** The current app path; the component renders again on every navigation. */
export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const changed = () => {
      navigated = true;
      setPath(currentPath());
      window.scrollTo(0, 0);
    };
    window.addEventListener("popstate", changed);
    window.addEventListener(CHANGED, changed);
    return () => {
      window.removeEventListener("popstate", changed);
      window.removeEventListener(CHANGED, changed);
    };
  }, []);
  return path;
}

/** The parameters of `path` if it matches `pattern` ("/petitions/:id"), else null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const wanted = pattern.split("/");
  const parts = path.split("/");
  if (wanted.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (const [index, piece] of wanted.entries()) {
    const part = parts[index] ?? "";
    if (piece.startsWith(":")) {
      if (!part) return null;
      params[piece.slice(1)] = decodeURIComponent(part);
    } else if (piece !== part) return null;
  }
  return params;
}

interface LinkProps {
  to: string;
  children: ComponentChildren;
  class?: string;
  "aria-current"?: "page" | undefined;
  "aria-describedby"?: string;
}

/** An anchor (it opens in a new tab as any link does) that navigates inside the app. */
export function Link({ to, children, ...rest }: LinkProps) {
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a {...rest} href={href(to)} onClick={onClick}>{children}</a>;
}

/**
 * Moves focus to the page's heading after a navigation (not on the first load, where the
 * browser starts at the top of the document as usual). Every page renders its h1 at once.
 */
export function useFocusHeading(path: string): void {
  useEffect(() => {
    if (!navigated) return;
    document.querySelector<HTMLElement>("main h1")?.focus({ preventScroll: true });
  }, [path]);
}
