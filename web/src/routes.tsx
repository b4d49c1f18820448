/** The app's client routes (docs/web.md): a pattern, and the page it shows. */
import type { VNode } from "preact";
import { Composer } from "./composer/Composer";
import { Dashboard } from "./dashboard/Dashboard";
import { NotFound } from "./NotFound";
import { MyPetitions } from "./petitions/MyPetitions";
import { NewPetition } from "./petitions/NewPetition";
import { match } from "./router";
import { UpdatePage } from "./updates/UpdatePage";

type Params = Record<string, string>;
const ROUTES: [string, (params: Params) => VNode][] = [
  ["/", () => <MyPetitions />],
  ["/new", () => <NewPetition />],
  ["/petitions/:id", (p) => <Dashboard petitionId={p["id"] ?? ""} />],
  ["/petitions/:id/compose", (p) => <Composer petitionId={p["id"] ?? ""} />],
  ["/petitions/:id/updates/:uid", (p) => <UpdatePage petitionId={p["id"] ?? ""} updateId={p["uid"] ?? ""} />],
];

/** The page of an app path (the callback is the app's own: see App). */
export function page(path: string): VNode {
  for (const [pattern, render] of ROUTES) {
    const params = match(pattern, path);
    if (params) return render(params);
  }
  return <NotFound />;
}
