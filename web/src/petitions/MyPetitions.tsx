/** /app/ — the signed-in starter's petitions, newest first, a page at a time. */
import { api, type Schemas } from "../api/client";
import { useApi } from "../api/useApi";
import { usePages } from "../api/usePages";
import { formatDate, formatDateTime } from "../i18n";
import { Link } from "../router";
import { More } from "../ui/More";
import { Show } from "../ui/Status";
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
  const pages = usePages(
    props.first,
    props.cursor,
    (cursor) => api().GET("/petitions", { params: { query: { limit: 20, cursor } } }),
    (page) => page.petitions,
  );
  if (pages.items.length === 0) return <p class="empty">{t("listEmpty")}</p>;
  return (
    <>
      <ul class="petition-list">
        {pages.items.map((petition) => <PetitionItem key={petition.petition_id} petition={petition} />)}
      </ul>
      <More pages={pages} label={t("listMore")} />
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
