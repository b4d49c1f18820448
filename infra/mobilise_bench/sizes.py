"""How big each benchmark is, in a full run and in the smoke run (``--smoke``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    # Delivery: each run one update to N signers; DeliveryConcurrency worker processes.
    recipients: int = 6_000  # the headline run, at a quota this machine can drive
    quota: float = 50.0
    concurrency: int = 4
    burst_seconds: float = 0.1  # the stand-in's bucket holds this much of a second's quota
    stress_recipients: int = 4_000  # the same at a quota beyond this machine: where it tops out
    stress_quota: float = 200.0
    stress_concurrency: int = 8
    moto_recipients: int = 1_000  # the headline run with the tables in moto
    control_recipients: int = 1_000  # two processes, a low quota
    control_quota: float = 25.0
    naive_recipients: int = 1_000
    memory_signers: tuple[int, int] = (10_000, 100_000)
    cold_runs: int = 10
    cold_warmup: int = 1
    profile_imports: bool = True  # one more child per function, with -X importtime
    publish_signers: tuple[int, int] = (100, 100_000)
    publish_samples: tuple[int, int] = (100, 30)  # per size: each reads every signature today
    seed_threads: int = 4
    signatures: int = 4_000  # offered to one petition at signatures_per_s (a simulated clock)
    signatures_per_s: int = 2_000
    delivery_cpu_recipients: int = 3_200  # both designs, message by message


FULL = Sizes()
SMOKE = Sizes(
    recipients=200,
    concurrency=2,
    stress_recipients=100,
    stress_concurrency=2,
    moto_recipients=50,
    control_recipients=50,
    naive_recipients=30,
    memory_signers=(500, 1_000),
    cold_runs=3,
    cold_warmup=0,
    profile_imports=False,
    publish_signers=(10, 300),
    publish_samples=(5, 5),
    signatures=300,
    signatures_per_s=100,
    delivery_cpu_recipients=120,
)
