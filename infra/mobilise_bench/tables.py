"""The Markdown and the targets of the cold-start, fan-out memory and publish sections."""

from __future__ import annotations

from typing import Any

from mobilise_bench.report import table

MEMORY_TARGET = 1.10
COLD_START_TARGET = 1.5
PUBLISH_TARGET = 1.5


def memory_targets(memory: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
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
    return found


def cold_targets(cold: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
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


def _restored(row: dict[str, Any]) -> str:
    if "median_restored_ms" not in row:
        return "–"
    return f"{row['median_restored_ms']:.0f} ({row['restored_ratio_to_baseline']:.2f}×)"


def cold(cold: dict[str, Any]) -> list[str]:
    shipped = " in Python 3.13, with the layer as `sam build` ships it" if "runtime" in cold else ""
    lines = [
        f"Median of {cold['runs']} fresh interpreters each{shipped}: import of the handler module "
        f"and one event served, timed inside the child; moto's server outside it.",
        "",
    ]
    rows = []
    for name, row in cold["functions"].items():
        served = "–" if row["served"] is None else f"{row['served']}/{row['runs']}"
        collections = "–" if row["served"] is None else str(row["first_event_collections"])
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
                collections,
                _restored(row),
            ]
        )
    lines += table(
        [
            "function",
            "median ms",
            "import ms",
            "first event ms",
            "of which waiting on moto ms (requests)",
            "range ms",
            "÷ baseline",
            "served",
            "collections in the first event",
            "SnapStart: first event ms (÷ baseline)",
        ],
        rows,
    )
    lines += [
        "",
        "Collections: the garbage collector's runs during the first event, the most of any "
        "sample (`mobilise.core.startup` holds them off until the first event has ended). "
        "SnapStart: the same function started again, its before-snapshot hooks run before "
        "the clock (`mobilise.core.snapstart`): the first event of an environment restored "
        "from a snapshot, without the restore itself, which only Lambda can measure.",
    ]
    profiled = {n: r["imports_ms"] for n, r in cold["functions"].items() if r.get("imports_ms")}
    if profiled:
        lines += ["", "Import time by top-level package (`-X importtime`, one run, self ms):", ""]
        lines += table(
            ["function", "largest imports"],
            [
                [name, ", ".join(f"{package} {ms:.0f}" for package, ms in imports.items())]
                for name, imports in profiled.items()
            ],
        )
    return lines


def memory(memory: dict[str, Any]) -> list[str]:
    lines: list[str] = []
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
    lines += table(
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


def publish_targets(publish: dict[str, Any]) -> list[dict[str, Any]]:
    small, large = publish["runs"][0], publish["runs"][-1]
    ratios = publish["p50_ratio"]
    worst = max(("accepted", "preview"), key=lambda case: ratios[case])
    return [
        {
            "name": "publish",
            "target": f"publish and preview p50 at {large['signers']:,} signers within "
            f"{PUBLISH_TARGET:g}× of {small['signers']:,} (noise)",
            "measured": f"{worst}: {large[worst]['handler_ms']['p50']:.0f} / "
            f"{small[worst]['handler_ms']['p50']:.0f} ms = {ratios[worst]:.2f}×",
            "met": all(ratios[case] <= PUBLISH_TARGET for case in ("accepted", "preview")),
        }
    ]


def publish(publish: dict[str, Any]) -> list[str]:
    lines = [
        f"`POST /petitions/{{id}}/updates` (accepted, then refused within the 24 hours) and "
        f"`POST /petitions/{{id}}/updates/preview`, through the api handler in-process, tables "
        f"in {publish['tables']}, queues in moto; one petition per size, every one seeded "
        f"first, their samples interleaved over one run; the clock moved 25 h before each "
        f"accepted publish.",
        "",
    ]
    rows = []
    for run in publish["runs"]:
        for case in ("accepted", "refused", "preview"):
            entry = run[case]
            handler, own = entry["handler_ms"], entry["without_emulator_ms"]
            statuses = ", ".join(f"{code}×{n}" for code, n in sorted(entry["statuses"].items()))
            rows.append(
                [
                    f"{run['signers']:,}",
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
    lines += table(
        [
            "signers",
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
    answered = "; ".join(
        f"{run['signers']:,} signers: {', '.join(f'{n:,}' for n in run['recipients_answered'])}"
        for run in publish["runs"]
    )
    lines += [
        "",
        f"Signers the answers said the update reaches: {answered}. With few samples the p99 "
        f"is the largest but one or the largest.",
    ]
    return lines
