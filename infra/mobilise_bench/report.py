"""The Markdown page of a benchmark run, and whether the targets of issues 7 and 14 are met."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mobilise_bench.sections import Section

SEND_RATE_TARGET = 0.95
THROTTLE_TARGET = 0.01
COST_TARGET = 0.005  # issue 14 (issue 7 had 1%)
CPU_TARGET_MS = 1.0
WRITE_UNITS_TARGET = 0.1


def _headline(saturation: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(
        run for run in saturation["runs"] if run["label"] == saturation["headline"]
    )
    return found


def _write_units_per_email(saturation: dict[str, Any]) -> float:
    """DynamoDB write units per email in the headline run: all of delivery's bookkeeping."""
    units = [row["mobilise"] or {} for row in saturation["requests_per_1000"]]
    return sum(float(row.get("write_units", 0.0)) for row in units) / 1000


def saturation_targets(saturation: dict[str, Any]) -> list[dict[str, Any]]:
    headline = _headline(saturation)
    fraction = headline["achieved_fraction_of_quota"]
    throttled = headline["throttled_fraction_of_sends"]
    cost = saturation["cost_per_million"]["mobilise"]
    cpu = headline["deliver_cpu_per_email_ms"]
    writes = _write_units_per_email(saturation)
    return [
        {
            "name": "send_rate",
            "target": "achieved send rate ≥ 95% of the quota, emails throttled < 1% of those sent",
            "measured": f"{fraction:.1%} of {headline['quota_per_second']:g}/s, "
            f"{throttled:.2%} throttled",
            "met": fraction >= SEND_RATE_TARGET and throttled < THROTTLE_TARGET,
        },
        {
            "name": "cost",
            "target": f"infrastructure cost per million recipients ≤ {COST_TARGET:.1%} of SES's",
            "measured": f"${cost['infrastructure']:.2f} / ${cost['ses']:.2f} = "
            f"{cost['infrastructure_over_ses']:.2%}",
            "met": cost["infrastructure_over_ses"] <= COST_TARGET,
        },
        {
            "name": "deliver_cpu",
            "target": f"deliver function CPU ≤ {CPU_TARGET_MS:g} ms per email",
            "measured": f"{cpu:.2f} ms",
            "met": cpu <= CPU_TARGET_MS,
        },
        {
            "name": "write_units",
            "target": f"DynamoDB write units ≤ {WRITE_UNITS_TARGET:g} per email",
            "measured": f"{writes:.3f}",
            "met": writes <= WRITE_UNITS_TARGET,
        },
    ]


def _yes(met: bool) -> str:
    return "**met**" if met else "**not met**"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _units(row: dict[str, float] | None, service: str) -> str:
    if row is None:
        return "–"
    if service == "dynamodb":
        parts = []
        if row["read_units"]:
            parts.append(f"{row['read_units']:.1f} RRU")
        if row["write_units"]:
            parts.append(f"{row['write_units']:.1f} WRU")
        return ", ".join(parts) or "0"
    if service == "sesv2":
        return f"{row['billed_requests']:.0f} emails"
    return f"{row['billed_requests']:.1f}"


def _requests(row: dict[str, float] | None) -> str:
    return "–" if row is None else f"{row['requests']:.1f}"


def markdown(results: dict[str, Any], sections: Sequence[Section]) -> str:
    """The page: the targets, then the parts of each section present in ``results``."""
    lines = [
        "# Mobilise benchmarks",
        "",
        f"`make bench` ({results['mode']} mode), {results['started_at']}, "
        f"{results['machine']['cpus']} CPUs, Python {results['machine']['python']}, "
        f"commit {results['machine'].get('commit', '?')}; "
        f"the whole run took {results.get('duration_seconds', 0):.0f} s.",
        "",
        "## Targets",
        "",
    ]
    lines += table(
        ["target", "measured", ""],
        [[t["target"], t["measured"], _yes(t["met"])] for t in results.get("targets", [])],
    )
    number = 0
    for section in sections:
        for title, write in section.parts if section.name in results else []:
            number += 1
            lines += ["", f"## {number}. {title}", "", *write(results[section.name])]
    loads = ", ".join(
        f"{section.name} {results[section.name]['load_average']:.1f}"
        for section in sections
        if "load_average" in results.get(section.name, {})
    )
    if loads:
        lines += ["", f"Load average (5 min) at the end of each section: {loads}."]
    for name, error in results.get("errors", {}).items():
        lines += ["", f"## {name} failed", "", "```", error.rstrip(), "```"]
    return "\n".join(lines) + "\n"


def _throttled(run: dict[str, Any]) -> str:
    """Calls refused, and the emails they carried if more (SendBulkEmail), as a share of the
    emails sent."""
    calls = run["throttled_calls"]
    emails = run.get("throttled_emails", calls)
    share = f"{run['throttled_fraction_of_sends']:.2%}"
    return f"{calls} ({share})" if emails == calls else f"{calls} calls, {emails} emails ({share})"


def saturation(saturation: dict[str, Any]) -> list[str]:
    rows = [
        [
            run["label"],
            run["tables"],
            f"{run['recipients']:,}",
            f"{run['sent']:,}",
            f"{run['quota_per_second']:g}",
            str(run["delivery_concurrency"]),
            f"{run['achieved_rate']:.1f}",
            f"{run['achieved_fraction_of_quota']:.1%}",
            f"{run['steady_rate_after_fanout']:.1f}",
            _throttled(run),
            f"{run['wall_seconds']:.1f} / {run['ideal_seconds']:.1f}",
            f"{run['deliver_cpu_per_email_ms']:.1f} / {run['emulator_cpu_per_email_ms']:.1f}"
            f" / {run['process_cpu_per_email_ms']:.1f}",
            f"{run['emails_per_deliver_cpu_second']:.0f} / {run['emails_per_cpu_second']:.0f}",
        ]
        for run in saturation["runs"]
        if run["label"] != "naive"
    ]
    lines = table(
        [
            "run",
            "tables",
            "recipients",
            "sent",
            "quota /s",
            "deliver processes",
            "achieved /s",
            "of quota",
            "after fan-out /s",
            "throttled",
            "wall / ideal s",
            "CPU ms per email: deliver / bench process / all",
            "emails per CPU-second: deliver / all",
        ],
        rows,
    )
    headline = _headline(saturation)
    held = f"{headline['bucket_burst']:g} emails"
    if headline.get("emails_by_operation", {}).get("SendBulkEmail"):
        held += f" for a SendEmail, {headline['bucket_bulk_ceiling']:g} for a SendBulkEmail"
    lines += [
        "",
        "Each deliver worker and the fan-out worker is a process of its own (its own "
        "interpreter, handler module and SES pacer at quota ÷ DeliveryConcurrency), as "
        "concurrent Lambda invocations are; the SES stand-in's token bucket (holding "
        f"{held} in the headline run) is shared by all of them. "
        "Achieved rate: emails accepted ÷ time from the first to the last; wall: publish to "
        "the last email accepted; ideal: recipients ÷ quota. CPU: the deliver function's own "
        "(its invocations, in its processes), this bench process's (moto's server, the "
        "publish, watching the queues), and every process's but DynamoDB Local's.",
        "",
        *_projection(saturation["projection"]),
    ]
    return lines


def _projection(projection: dict[str, Any]) -> list[str]:
    target = projection["target_rate"]
    lines = [
        f"**{target:,.0f} emails a second on AWS.** A function gets MemorySize ÷ 1,769 MB of a "
        f"vCPU (a full one at 1,769 MB); at the deliver function's "
        f"{projection['deliver_cpu_per_email_ms']:.1f} ms of CPU per email measured here "
        f"(taking this machine's cores as Lambda's), one invocation sends at most:",
        "",
    ]
    lines += table(
        [
            "MemorySize MB",
            "vCPU",
            "emails/s per invocation",
            f"DeliveryConcurrency for {target:g}/s",
        ],
        [
            [
                str(option["memory_mb"]),
                f"{option['vcpu_share']:.2f}",
                f"{option['emails_per_second_per_invocation']:.0f}",
                str(option["concurrency_for_target"]),
            ]
            for option in projection["options"]
        ],
    )
    lines += [
        "",
        "CPU-bound figures: each send also waits on SES and DynamoDB (tens of ms), so more "
        "concurrency is needed, not more CPU; the GB-seconds billed per email are the same at "
        "every size below 1,769 MB (CPU time × MB is constant), so the larger size only "
        "needs fewer concurrent invocations. SesMaxSendRate 1000 and that DeliveryConcurrency "
        "(the account's Lambda concurrency must allow it).",
    ]
    return lines


def requests(saturation: dict[str, Any]) -> list[str]:
    headline = _headline(saturation)
    naive = next(run for run in saturation["runs"] if run["label"] == "naive")
    lines = [
        f"Counted at `botocore.client.BaseClient._make_api_call` during the quota run "
        f"({headline['sent']:,} emails) and, for the naive design, a run of "
        f"{naive['sent']:,} emails of `mobilise_bench/naive.py` (one SendMessage per "
        f"recipient, the real deliver function on one-recipient messages, batch size 10). "
        f"Lambda's own receives and deletes are counted; empty polls are not. SendEmail, "
        f"sent without the client's call chain (`mobilise.delivery.send_email`), is counted "
        f"by the SES stand-in that answers it; SES's billed column counts emails, one a "
        f"SendEmail and one an entry of a SendBulkEmail.",
        "",
    ]
    rows = []
    for row in saturation["requests_per_1000"]:
        service = row["service"]
        rows.append(
            [
                service,
                row["operation"],
                _requests(row["mobilise"]),
                _units(row["mobilise"], service),
                _requests(row["naive"]),
                _units(row["naive"], service),
            ]
        )
    lines += table(
        ["service", "operation", "requests", "billed", "naive requests", "naive billed"], rows
    )
    costs = saturation["cost_per_million"]
    lines += ["", "Cost per 1,000,000 recipients (USD, on-demand public prices):", ""]
    cost_rows = []
    for name, label in (
        ("ses", "SES emails"),
        ("sqs", "SQS requests"),
        ("dynamodb_writes", "DynamoDB write units"),
        ("dynamodb_reads", "DynamoDB read units"),
        ("lambda_requests", "Lambda requests"),
        ("lambda_compute", "Lambda GB-s (measured CPU time)"),
        ("infrastructure", "**infrastructure**"),
        ("infrastructure_over_ses", "**infrastructure ÷ SES**"),
        ("lambda_compute_wall", "Lambda GB-s (local wall time, incl. pacing)"),
        ("infrastructure_over_ses_wall", "infrastructure ÷ SES (with wall time)"),
    ):
        ours, theirs = costs["mobilise"][name], costs["naive"][name]
        if name.startswith("infrastructure_over"):
            cost_rows.append([label, f"{ours:.2%}", f"{theirs:.2%}"])
        else:
            cost_rows.append([label, f"${ours:.3f}", f"${theirs:.3f}"])
    lines += table(["", "Mobilise", "naive"], cost_rows)
    return lines
