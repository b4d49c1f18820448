"""The tables and targets of two issue-14 sections: signing on one petition
(:mod:`.signing`) and delivery's cost per email against the naive design, message by
message in one run (:mod:`.delivery_cpu`)."""

from __future__ import annotations

from typing import Any

from mobilise_bench.report import table

DELIVER_CPU_MS = 1.0  # the deliver function's own CPU per email
WRITE_UNITS = 0.1  # bookkeeping write units per email


def signing(found: dict[str, Any]) -> list[str]:
    kinds = found["max_item_writes_per_s_by_kind"]
    rows = [[kind, str(count)] for kind, count in kinds.items()]
    lines = [
        f"{found['signatures']:,} signatures offered to one petition at "
        f"{found['offered_per_s']:,} a second (a simulated clock: the counts of writes per "
        f"second do not depend on this machine's speed), each confirmed a second later "
        f"({found['confirmations']:,}); on {found['tables']}. Writes counted from the keys "
        f"of every request.",
        "",
        *table(["item", "most writes in one second"], rows),
        "",
        f"Busiest partition: {found['max_partition_writes_per_s']:,} writes in one second. "
        f"Writes to the petition's own item: {found['petition_item_writes']}.",
        "",
    ]
    timing = [("signing", found["signing_ms"])]
    if "confirming_ms" in found:
        timing.append(("confirming", found["confirming_ms"]))
    lines += table(
        ["request", "p50 ms", "p99 ms", "max ms"],
        [[name, f"{d['p50']:.0f}", f"{d['p99']:.0f}", f"{d['max']:.0f}"] for name, d in timing],
    )
    return lines


def signing_targets(found: dict[str, Any]) -> list[dict[str, Any]]:
    busiest = found["max_item_writes_per_s"]
    return [
        {
            "name": "one_item_writes",
            "target": f"no item above {found['target_item_writes_per_s']} writes/s at "
            f"{found['offered_per_s']:,} signatures/s",
            "measured": f"{busiest} writes/s ({found['busiest_item']})",
            "met": busiest <= found["target_item_writes_per_s"],
        }
    ]


def _exchange(found: dict[str, Any], design: str) -> float:
    """The HTTP exchange's CPU per email of ``design``'s update emails, by whichever operation
    carried them (``delivery_cpu.exchange_per_email``); SendEmail's in a run from before."""
    exchange: float = found[design].get(
        "http_exchange_ms_per_email", found["ses_http"]["http_exchange_ms"]
    )
    return exchange


def _by_send_email(found: dict[str, Any], design: str) -> bool:
    """Whether SendEmail carried any of ``design``'s update emails (all did, before bulk)."""
    return bool(found[design].get("emails_by_operation", {"SendEmail": 1}).get("SendEmail"))


def delivery(found: dict[str, Any]) -> list[str]:
    ours, naive = found["mobilise"], found["naive"]
    rows = []
    for label, key, digits in (
        ("deliver CPU ms per email, median message", "cpu_ms_per_email_median", 2),
        ("deliver CPU ms per email, whole update", "cpu_ms_per_email", 2),
        ("write units per email, median message", "write_units_per_email_median", 3),
        ("write units per email, whole update", "write_units_per_email", 3),
    ):
        ratio = naive[key] / max(1e-9, ours[key])
        rows.append([label, f"{ours[key]:.{digits}f}", f"{naive[key]:.{digits}f}", f"{ratio:.1f}×"])
    http, bulk = found["ses_http"], found.get("ses_http_bulk")
    send = f"{http['http_exchange_ms']:.2f}"
    if _by_send_email(found, "mobilise"):
        rows.append(["SendEmail's HTTP exchange, ms (measured apart)", send, send, "1.0×"])
    else:
        rows.append(["SendEmail's HTTP exchange, ms (measured apart)", "–", send, "–"])
    if bulk is not None:
        rows += [
            [
                f"SendBulkEmail's HTTP exchange, ms a call of {bulk['entries']} (measured apart)",
                f"{bulk['http_exchange_ms_per_call']:.2f}",
                "–",
                "–",
            ],
            [
                "SendBulkEmail's HTTP exchange, ms per email",
                f"{bulk['http_exchange_ms_per_email']:.2f}",
                "–",
                "–",
            ],
        ]
    ours_with = ours["cpu_ms_per_email"] + _exchange(found, "mobilise")
    naive_with = naive["cpu_ms_per_email"] + _exchange(found, "naive")
    rows.append(
        [
            "deliver CPU ms per email with it, whole update",
            f"{ours_with:.2f}",
            f"{naive_with:.2f}",
            f"{naive_with / max(1e-9, ours_with):.1f}×",
        ]
    )
    lines = [
        f"{found['recipients']:,} recipients in {found['messages']} delivery messages, each "
        f"delivered by Mobilise's deliver function and by the naive design (one idempotency "
        f"record and one whole message built per recipient) in turn, in one process; the "
        f"emulators' own CPU left out, SES's stand-in's too. The stand-in answers each "
        f"SendEmail at the client, once built and signed: the HTTP exchange it leaves out was "
        f"measured apart, {http['emails']:,} emails of {http['raw_bytes']:,} bytes sent by "
        f"the same code over loopback HTTP (kept alive, no TLS) to a server answering as SES "
        f"does, {http['send_over_http_ms']:.2f} ms of the sending thread's CPU an email "
        f"against {http['send_to_stand_in_ms']:.2f} to the stand-in "
        f"(`mobilise_bench.ses_http`).",
    ]
    if bulk is not None:
        lines[0] += (
            f" Mobilise's update emails went by SendBulkEmail "
            f"({ours['emails_by_operation'].get('SendBulkEmail', 0):,} of {ours['emails']:,}): "
            f"its last call, {bulk['entries']} entries in {bulk['request_bytes']:,} bytes, "
            f"made {bulk['calls']:,} times the same way, {bulk['call_over_http_ms']:.2f} ms a "
            f"call over HTTP against {bulk['call_to_stand_in_ms']:.2f} to the stand-in; "
            f'"with it" adds each operation\'s exchange per email, weighed by the emails '
            f"it carried."
        )
    return [*lines, "", *table(["per email", "Mobilise", "naive", "naive ÷ Mobilise"], rows)]


def delivery_targets(found: dict[str, Any]) -> list[dict[str, Any]]:
    ours = found["mobilise"]
    with_http = ours["cpu_ms_per_email"] + _exchange(found, "mobilise")
    return [
        {
            "name": "deliver_cpu_per_email",
            "target": f"deliver CPU ≤ {DELIVER_CPU_MS} ms per email (message by message, "
            "SES's HTTP exchange left out)",
            "measured": f"{ours['cpu_ms_per_email']:.2f} ms",
            "met": ours["cpu_ms_per_email"] <= DELIVER_CPU_MS,
        },
        {
            "name": "deliver_cpu_per_email_with_http",
            "target": f"deliver CPU ≤ {DELIVER_CPU_MS} ms per email (message by message, with "
            "SES's HTTP exchange measured apart, of the operation that carried the emails)",
            "measured": f"{with_http:.2f} ms",
            "met": with_http <= DELIVER_CPU_MS,
        },
        {
            "name": "bookkeeping_per_email",
            "target": f"≤ {WRITE_UNITS} write units of bookkeeping per email",
            "measured": f"{ours['write_units_per_email_median']:.3f} (median message), "
            f"{ours['write_units_per_email']:.3f} (whole update)",
            "met": ours["write_units_per_email_median"] <= WRITE_UNITS,
        },
    ]
