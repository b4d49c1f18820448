"""`make bench` in smoke mode: every benchmark runs end to end and reports sane values.

No timing is asserted (the machine is shared and noisy): only that each section is
there, that every email was sent once, that every function has a cold-start number.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.timeout(600), pytest.mark.slow]  # the smoke run: a minute or more


class _TemplateLoader(yaml.SafeLoader):
    pass


_TemplateLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def _template_functions() -> set[str]:
    document = yaml.load((ROOT / "template.yaml").read_text(), Loader=_TemplateLoader)  # noqa: S506
    return {
        name
        for name, resource in document["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory, built_app: None) -> tuple[dict[str, Any], str]:
    out = tmp_path_factory.mktemp("bench")
    completed = subprocess.run(
        [sys.executable, "-m", "mobilise_bench", "--out", str(out), "--smoke"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr[-5000:]
    assert (out / "results.json").is_file()
    assert (out / "results.md").is_file()
    results = json.loads((out / "results.json").read_text())
    return results, (out / "results.md").read_text()


def test_every_benchmark_reports_without_errors(smoke: tuple[dict[str, Any], str]) -> None:
    results, page = smoke

    assert results["mode"] == "smoke"
    assert "errors" not in results
    for section in (
        "saturation",
        "cold_start",
        "memory",
        "publish",
        "signing",
        "delivery_cpu",
        "weights",
        "daily_cap",
    ):
        assert section in results
    for heading in (
        "## Targets",
        "## 1. Cold start",
        "## 2. Saturating the SES quota",
        "## 3. AWS requests per 1,000 recipients",
        "## 4. Fan-out memory",
        "## 5. Publish and preview, small and large petition",
        "## 6. Signing on one petition",
        "## 7. Delivery's cost per email, against the naive design",
        "## 8. What a phone downloads",
        "## 9. One update email a day per person",
    ):
        assert heading in page
    assert {target["name"] for target in results["targets"]} == {
        "send_rate",
        "cost",
        "deliver_cpu",
        "write_units",
        "memory",
        "cold_start",
        "publish",
        "one_item_writes",
        "deliver_cpu_per_email",
        "deliver_cpu_per_email_with_http",
        "bookkeeping_per_email",
        "page_weight",
        "app_weight",
    }
    assert all(isinstance(target["met"], bool) for target in results["targets"])


def test_every_seeded_recipient_gets_exactly_one_email(smoke: tuple[dict[str, Any], str]) -> None:
    results, _ = smoke

    runs = {run["label"]: run for run in results["saturation"]["runs"]}
    assert set(runs) == {"quota", "stress", "moto tables", "control", "naive"}
    for label, run in runs.items():
        assert run["sent"] == run["recipients"]
        assert run["update_stats_sent"] == run["recipients"]
        if label != "naive":  # the naive fan-out keeps no per-page count
            assert run["update_stats_recipients"] == run["recipients"]
        assert run["achieved_rate"] > 0
        assert run["throttled_calls"] >= 0
        assert run["wall_seconds"] > 0
    for run in runs.values():  # one deliver process, hence one pacer, per invocation slot
        assert run["pacers"] == run["delivery_concurrency"]
        assert run["emails_per_cpu_second"] > 0


def test_requests_and_costs_are_counted_per_recipient(smoke: tuple[dict[str, Any], str]) -> None:
    results, _ = smoke
    saturation = results["saturation"]

    rows = {(row["service"], row["operation"]): row for row in saturation["requests_per_1000"]}
    # SES bills emails, whichever operation carried them (SendEmail, SendBulkEmail's entries)
    sends = [row for (service, _), row in rows.items() if service == "sesv2"]
    for design in ("mobilise", "naive"):
        billed = sum((row[design] or {}).get("billed_requests", 0) for row in sends)
        assert billed == pytest.approx(1000)
    # The naive design sends one SQS message per recipient; ours packs up to 50.
    assert rows[("sqs", "SendMessage")]["naive"]["requests"] == pytest.approx(1000)
    assert rows[("sqs", "SendMessage")]["mobilise"] is None
    # Delivery's bookkeeping: each message's record claimed, then settled (write units).
    writes = {
        operation: row["mobilise"]["write_units"]
        for (service, operation), row in rows.items()
        if service == "dynamodb" and row["mobilise"] is not None
    }
    assert writes.get("UpdateItem", 0) > 0, writes
    assert writes.get("TransactWriteItems", 0) > 0, writes
    assert rows[("lambda", "Invoke")]["mobilise"]["requests"] > 0

    for design in ("mobilise", "naive"):
        cost = saturation["cost_per_million"][design]
        assert cost["ses"] == pytest.approx(100.0)
        assert cost["infrastructure"] > 0
        assert cost["infrastructure_over_ses"] == pytest.approx(cost["infrastructure"] / 100.0)


def test_every_function_of_the_template_has_a_cold_start(
    smoke: tuple[dict[str, Any], str],
) -> None:
    results, _ = smoke
    cold = results["cold_start"]

    rows = set(cold["functions"]) - {cold["baseline"]}
    assert {row.split(" ", 1)[0] for row in rows} == _template_functions()
    # The API's first requests that load more than its JSON read have rows of their own.
    pages = {"ApiFunction GET /p/{id}", "ApiFunction GET /p/{id}, rendered"}
    assert {*pages, "ApiFunction POST /petitions"} < rows
    # The page another environment stored is shown without the template engine, and only it
    assert cold["functions"]["ApiFunction GET /p/{id}"]["rendered"] == [False]
    assert cold["functions"]["ApiFunction GET /p/{id}, rendered"]["rendered"] == [True]
    # A new petition's body, as clients send it, is read without pydantic.
    assert cold["functions"]["ApiFunction POST /petitions"]["validated"] == [False]
    for name, row in cold["functions"].items():
        assert row["runs"] == 3, name
        assert row["median_ms"] > 0, name
        assert row["ratio_to_baseline"] > 0, name
        if name != cold["baseline"]:
            assert row["served"] == row["runs"], name
            assert row["median_restored_ms"] > 0, name  # after the SnapStart hooks
            # Lambda's Python and the built layer: no collection until the first event ends.
            assert row["first_event_collections"] == 0, name


def test_fan_out_memory_is_measured_for_both_sizes(smoke: tuple[dict[str, Any], str]) -> None:
    results, _ = smoke
    memory = results["memory"]

    small, large = memory["runs"]
    assert small["signers"] < large["signers"]
    for run in (small, large):
        assert run["recipients"] == run["signers"]
        assert run["failed_records"] == 0
        assert run["invocations"] >= 2  # the job, then one per signature shard
        assert run["rss_peak_mib"] >= run["rss_ready_mib"] > 0
    assert memory["peak_ratio"] == pytest.approx(large["rss_peak_mib"] / small["rss_peak_mib"])


def test_publish_and_preview_are_measured_on_a_small_and_a_large_petition(
    smoke: tuple[dict[str, Any], str],
) -> None:
    results, _ = smoke
    small, large = results["publish"]["runs"]

    assert small["signers"] < large["signers"]
    for run in (small, large):
        samples = run["samples"]
        assert run["accepted"]["statuses"] == {"201": samples}
        assert run["refused"]["statuses"] == {"429": samples}
        assert run["preview"]["statuses"] == {"200": samples}
        assert run["recipients_answered"] == [run["signers"]]
        for case in ("accepted", "refused", "preview"):
            latency = run[case]["handler_ms"]
            assert latency["count"] == samples
            assert 0 < latency["p50"] <= latency["p99"] <= latency["max"]


def test_the_daily_cap_is_measured_for_both_lists(smoke: tuple[dict[str, Any], str]) -> None:
    results, page = smoke
    daily_cap = results["daily_cap"]

    runs = [daily_cap["off"], daily_cap["on"], *daily_cap["one_petition"].values()]
    assert set(daily_cap["one_petition"]) == {"off", "on"}
    for run in runs:
        assert run["emails"] > 0
        assert run["write_units_per_email"] > 0
    for run in daily_cap["one_petition"].values():  # one petition each: nobody waits
        assert run["recipients"] == daily_cap["persons"]
        assert run["emails"] == run["recipients"]
        assert run["digests"] == run["digested"] == 0
    assert "1 petition each, cap on" in page


def test_the_page_is_written_from_a_list_of_sections() -> None:
    from mobilise_bench.report import markdown
    from mobilise_bench.sections import SECTIONS, Section

    extra = Section("extra", lambda context: {}, [("An extra table", lambda found: ["| x |"])])
    results = {
        "mode": "smoke",
        "started_at": "2026-12-05T00:00:00Z",
        "machine": {"cpus": 2, "python": "3.13", "commit": "abc"},
        "extra": {"x": 1},
    }

    page = markdown(results, [*SECTIONS, extra])

    assert "## 1. An extra table\n\n| x |" in page


def test_sendemails_http_exchange_is_measured_apart(smoke: tuple[dict[str, Any], str]) -> None:
    results, page = smoke

    found = results["delivery_cpu"]
    assert found["ses_http"]["emails"] == 5 * min(200, found["recipients"])
    assert found["ses_http"]["raw_bytes"] > 1_000  # an update's email, as the run sent it
    assert "SendEmail's HTTP exchange, ms (measured apart)" in page
