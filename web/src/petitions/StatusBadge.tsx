import { t } from "./messages";

export type PetitionStatus = "open" | "victory" | "closed";

const LABEL = { open: "statusOpen", victory: "statusVictory", closed: "statusClosed" } as const;

export function StatusBadge(props: { status: PetitionStatus }) {
  return <span class={`badge badge-${props.status}`}>{t(LABEL[props.status])}</span>;
}
