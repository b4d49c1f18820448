/** /app/ — the signed-in starter's petitions, newest first, a page at a time. */
import { useState } from "preact/hooks";
import { api, type Schemas } from "../api/client";
import { settled, useApi } from "../api/useApi";
import { asProblem, type Problem } from "../api/problems";
import { formatDate, formatDateTime } from "../i18n";
import { Link } from "../router";
import { ProblemNotice, Show } from "../ui/Status";
import { t } from "./messages";
import { StatusBadge } from "./StatusBadge";

type Owned = Schemas["OwnedPetition"];

export function MyPetitions() {
  const [first, retry] = useApi(() => api().GET("/petitions", { params: { query: { limit: 20 } } }), []);
  return (
    <section>
      <div class="page-heading">
        <h1 tabIndex={-1}>{t("listTitle")}</h1>
        <Link to="/new" class="button button-primary">{t("startOne")}</Link>
      </div>
      <Show loaded={first} onRetry={retry}>
        {(page) => <Pages first={page.petitions} cursor={page.next_cursor} />}
      </Show>
    </section>
  );
}

function Pages(props: { first: Owned[]; cursor: string | null }) {
  const [petitions, setPetitions] = useState(props.first);
  const [cursor, setCursor] = useState(props.cursor);
  const [problem, setProblem] = useState<Problem | null>(null);
  const more = async () => {
    if (!cursor) return;
    try {
      const page = await settled(api().GET("/petitions", { params: { query: { limit: 20, cursor } } }));
      setPetitions([...petitions, ...page.petitions]);
      setCursor(page.next_cursor);
      setProblem(null);
    } catch (failure) {
      setProblem(asProblem(failure));
    }
  };
  if (petitions.length === 0) return <p class="empty">{t("listEmpty")}</p>;
  return (
    <>
      <ul class="petition-list">
        {petitions.map((petition) => <PetitionItem key={petition.petition_id} petition={petition} />)}
      </ul>
      {problem && <ProblemNotice problem={problem} />}
      {cursor && <button type="button" class="button" onClick={() => void more()}>{t("listMore")}</button>}
    </>
  );
}

function PetitionItem(props: { petition: Owned }) {
  const { petition } = props;
  const reopens = petition.next_update_allowed_at;
  return (
    <li class="card petition-item">
      <h2><Link to={`/petitions/${petition.petition_id}`}>{petition.title}</Link></h2>
      <p class="meta">
        <StatusBadge status={petition.status} />
        <span>{t("created", { date: formatDate(petition.created_at) })}</span>
        {petition.status === "open" && (
          <span>{reopens ? t("windowClosed", { date: formatDateTime(reopens) }) : t("windowOpen")}</span>
        )}
      </p>
    </li>
  );
}
