"""The Markdown page of a benchmark run, and whether the targets of issue 7 are met."""

from __future__ import annotations

from typing import Any

SEND_RATE_TARGET = 0.95
THROTTLE_TARGET = 0.01
COST_TARGET = 0.01
MEMORY_TARGET = 1.10
COLD_START_TARGET = 1.5


def _headline(results: dict[str, Any]) -> dict[str, Any] | None:
    saturation = results.get("saturation")
    if not saturation:
        return None
    found: dict[str, Any] = next(
        run for run in saturation["runs"] if run["label"] == saturation["headline"]
    )
    return found


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    headline = _headline(results)
    if headline is not None:
        fraction = headline["achieved_fraction_of_quota"]
        throttled = headline["throttled_fraction_of_sends"]
        found.append(
            {
                "name": "send_rate",
                "target": "achieved send rate ≥ 95% of the quota, throttled calls < 1% of sends",
                "measured": f"{fraction:.1%} of {headline['quota_per_second']:g}/s, "
                f"{throttled:.2%} throttled",
                "met": fraction >= SEND_RATE_TARGET and throttled < THROTTLE_TARGET,
            }
        )
        cost = results["saturation"]["cost_per_million"]["mobilise"]
        found.append(
            {
                "name": "cost",
                "target": "infrastructure cost per million recipients ≤ 1% of the SES cost",
                "measured": f"${cost['infrastructure']:.2f} / ${cost['ses']:.2f} = "
                f"{cost['infrastructure_over_ses']:.2%}",
                "met": cost["infrastructure_over_ses"] <= COST_TARGET,
            }
        )
    memory = results.get("memory")
    if memory:
        small, large = memory["runs"][0], memory["runs"][-1]
        found.append(
            {
                "name": "memory",
                "target": f"fan-out peak memory at {large['signers']:,} signers within 10% "
                f"of {small['signers']:,}",
                "measured": f"{large['rss_peak_mib']:.1f} / {small['rss_peak_mib']:.1f} MiB "
                f"= {memory['peak_ratio']:.3f}",
                "met": memory["peak_ratio"] <= MEMORY_TARGET,
            }
        )
    cold = results.get("cold_start")
    if cold:
        rows = {n: r for n, r in cold["functions"].items() if n != cold["baseline"]}
        worst = max(rows, key=lambda name: rows[name]["ratio_to_baseline"])
        unmeasured = cold.get("unmeasured", [])
        measured = f"worst: {worst} {rows[worst]['ratio_to_baseline']:.2f}×"
        if unmeasured:
            measured += f"; not measured (no event): {', '.join(unmeasured)}"
        found.append(
            {
                "name": "cold_start",
                "target": "each cold start within 1.5× import boto3 + one client",
                "measured": measured,
                "met": not unmeasured
                and all(r["ratio_to_baseline"] <= COLD_START_TARGET for r in rows.values()),
            }
        )
    return found


def _yes(met: bool) -> str:
    return "**met**" if met else "**not met**"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
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


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Mobilise benchmarks",
        "",
        f"`make bench` ({results['mode']} mode), {results['started_at']}, "
        f"{results['machine']['cpus']} CPUs, Python {results['machine']['python']}; "
        f"the whole run took {results.get('duration_seconds', 0):.0f} s.",
        "",
        "## Targets",
        "",
    ]
    lines += _table(
        ["target", "measured", ""],
        [[t["target"], t["measured"], _yes(t["met"])] for t in results.get("targets", [])],
    )
    for name, section in (
        ("saturation", _saturation),
        ("saturation", _requests_section),
        ("cold_start", _cold),
        ("memory", _memory),
        ("publish", _publish),
    ):
        if name in results:
            lines += ["", *section(results)]
    for name, error in results.get("errors", {}).items():
        lines += ["", f"## {name} failed", "", "```", error.rstrip(), "```"]
    return "\n".join(lines) + "\n"


def _saturation(results: dict[str, Any]) -> list[str]:
    saturation = results["saturation"]
    lines = ["## 1. Saturating the SES quota", ""]
    rows = []
    for run in saturation["runs"]:
        if run["label"] == "naive":
            continue
        rows.append(
            [
                run["label"],
                run["tables"],
                f"{run['recipients']:,}",
                f"{run['sent']:,}",
                f"{run['quota_per_second']:g}",
                f"{run['achieved_rate']:.1f}",
                f"{run['achieved_fraction_of_quota']:.1%}",
                f"{run['steady_rate_after_fanout']:.1f}",
                f"{run['throttled_calls']} ({run['throttled_fraction_of_sends']:.2%})",
                f"{run['wall_seconds']:.1f}",
                f"{run['ideal_seconds']:.1f}",
                f"{run['wall_over_ideal']:.2f}",
                f"{run['deliver_cpu_per_email_ms']:.1f} / {run['emulator_cpu_per_email_ms']:.1f}"
                f" / {run['process_cpu_per_email_ms']:.1f}",
                f"{1000 / run['process_cpu_per_email_ms']:.0f}",
            ]
        )
    lines += _table(
        [
            "run",
            "tables",
            "recipients",
            "sent",
            "quota /s",
            "achieved /s",
            "of quota",
            "after fan-out /s",
            "throttled",
            "wall s",
            "ideal s",
            "wall ÷ ideal",
            "CPU ms per email: deliver / emulator / process",
            "process-CPU-bound /s",
        ],
        rows,
    )
    projection = saturation["projection"]
    lines += [
        "",
        f"Achieved rate: emails accepted ÷ time from the first to the last; wall: publish to "
        f"the last email accepted; ideal: recipients ÷ quota. DeliveryConcurrency "
        f"{_headline(results)['delivery_concurrency']} (the template's default), one pacer per "  # type: ignore[index]
        f"concurrent invocation. The stand-in's bucket holds "
        f"{_headline(results)['bucket_burst']:g} emails.",  # type: ignore[index]
        "",
        f"On AWS at {projection['memory_mb']} MB a function gets "
        f"{projection['vcpu_share']:.0%} of a vCPU: the deliver function's own "
        f"{projection['deliver_cpu_per_email_ms']:.1f} ms of CPU per email here caps one "
        f"invocation at about {projection['cpu_bound_emails_per_second_per_invocation']:.0f} "
        f"emails/s before any network latency.",
    ]
    return lines


def _requests_section(results: dict[str, Any]) -> list[str]:
    saturation = results["saturation"]
    headline = _headline(results)
    assert headline is not None
    naive = next(run for run in saturation["runs"] if run["label"] == "naive")
    lines = [
        "## 2. AWS requests per 1,000 recipients",
        "",
        f"Counted at `botocore.client.BaseClient._make_api_call` during the quota run "
        f"({headline['sent']:,} emails) and, for the naive design, a run of "
        f"{naive['sent']:,} emails of `mobilise_bench/naive.py` (one SendMessage per "
        f"recipient, the real deliver function on one-recipient messages, batch size 10). "
        f"Lambda's own receives and deletes are counted; empty polls are not.",
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
    lines += _table(
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
    lines += _table(["", "Mobilise", "naive"], cost_rows)
    return lines


def _cold(results: dict[str, Any]) -> list[str]:
    cold = results["cold_start"]
    lines = [
        "## 3. Cold start",
        "",
        f"Median of {cold['runs']} fresh interpreters each: import of the handler module and "
        f"one event served, timed inside the child; moto's server outside it.",
        "",
    ]
    rows = []
    for name, row in cold["functions"].items():
        served = "–" if row["served"] is None else f"{row['served']}/{row['runs']}"
        rows.append(
            [
                name,
                f"{row['median_ms']:.0f}",
                f"{row['median_import_ms']:.0f}",
                f"{row['median_first_invoke_ms']:.0f}",
                f"{row['median_http_wait_ms']:.0f} ({row['http_requests']})",
                f"{row['min_ms']:.0f}–{row['max_ms']:.0f}",
                f"{row['ratio_to_baseline']:.2f}×",
                served,
            ]
        )
    lines += _table(
        [
            "function",
            "median ms",
            "import ms",
            "first event ms",
            "of which waiting on moto ms (requests)",
            "range ms",
            "÷ baseline",
            "served",
        ],
        rows,
    )
    profiled = {n: r["imports_ms"] for n, r in cold["functions"].items() if r.get("imports_ms")}
    if profiled:
        lines += ["", "Import time by top-level package (`-X importtime`, one run, self ms):", ""]
        lines += _table(
            ["function", "largest imports"],
            [
                [name, ", ".join(f"{package} {ms:.0f}" for package, ms in imports.items())]
                for name, imports in profiled.items()
            ],
        )
    return lines


def _memory(results: dict[str, Any]) -> list[str]:
    memory = results["memory"]
    lines = ["## 4. Fan-out memory", ""]
    rows = [
        [
            f"{run['signers']:,}",
            f"{run['seed_seconds']:.1f} ({run['seed_rate']:.0f}/s)",
            f"{run['seconds']:.1f}",
            str(run["invocations"]),
            f"{run['recipients']:,}",
            f"{run['rss_ready_mib']:.1f}",
            f"{run['rss_peak_mib']:.1f}",
            f"{run['rss_peak_mib'] - run['rss_ready_mib']:.1f}",
        ]
        for run in memory["runs"]
    ]
    lines += _table(
        [
            "signers",
            "seeded in s",
            "fan-out s",
            "invocations",
            "recipients queued",
            "RSS after imports MiB",
            "peak RSS MiB",
            "growth MiB",
        ],
        rows,
    )
    lines += [
        "",
        f"Peak ratio {memory['peak_ratio']:.3f}; growth ratio "
        f"{memory['growth_large_mib'] / max(0.1, memory['growth_small_mib']):.2f}. Tables in "
        f"{memory['tables']}; one execution environment per size serves every invocation of "
        f"the job. Peak RSS is the child's `VmHWM`: `ru_maxrss` survives `execve` on Linux and "
        f"reports the parent's size in a child forked from this large process.",
    ]
    return lines


def _publish(results: dict[str, Any]) -> list[str]:
    publish = results["publish"]
    lines = [
        "## 5. Publish path",
        "",
        f"`POST /petitions/{{id}}/updates` through the api handler in-process, tables in "
        f"{publish['tables']}, queues in moto; {publish['samples']} samples each, every "
        f"accepted one a first update of its own petition, every refused one a second.",
        "",
    ]
    rows = []
    for case in ("accepted", "refused"):
        entry = publish[case]
        handler, own = entry["handler_ms"], entry["without_emulator_ms"]
        statuses = ", ".join(f"{code}×{n}" for code, n in sorted(entry["statuses"].items()))
        rows.append(
            [
                case,
                statuses,
                f"{handler['p50']:.1f}",
                f"{handler['p90']:.1f}",
                f"{handler['p99']:.1f}",
                f"{handler['max']:.1f}",
                f"{own['p50']:.1f}",
                f"{own['p99']:.1f}",
            ]
        )
    lines += _table(
        [
            "case",
            "statuses",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms",
            "p50 w/o moto CPU",
            "p99 w/o moto CPU",
        ],
        rows,
    )
    return lines
