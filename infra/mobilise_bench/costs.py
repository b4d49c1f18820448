"""Public on-demand prices (us-east-1, as given in issue 7) and the cost of a counted run."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from mobilise_bench.counting import Counts

SES_PER_EMAIL = 0.10 / 1_000
SQS_PER_REQUEST = 0.40 / 1_000_000
DYNAMODB_PER_WRITE_UNIT = 0.625 / 1_000_000
DYNAMODB_PER_READ_UNIT = 0.125 / 1_000_000
LAMBDA_PER_REQUEST = 0.20 / 1_000_000
LAMBDA_PER_GB_SECOND = 0.0000166667

PRICES = {
    "ses_per_1000_emails": 0.10,
    "sqs_per_million_requests": 0.40,
    "dynamodb_per_million_write_units": 0.625,
    "dynamodb_per_million_read_units": 0.125,
    "lambda_per_million_requests": 0.20,
    "lambda_per_gb_second": LAMBDA_PER_GB_SECOND,
}


@dataclass(frozen=True)
class LambdaUse:
    """What a run's invocations of one function used."""

    function: str
    memory_mb: int
    invocations: int
    cpu_seconds: float  # the function's own CPU, measured
    wall_seconds: float  # wall time of the invocations here (pacing sleeps included)


@dataclass(frozen=True)
class Cost:
    """Dollars per one million recipients."""

    ses: float
    sqs: float
    dynamodb_writes: float
    dynamodb_reads: float
    lambda_requests: float
    lambda_compute: float  # GB-s from the measured CPU time
    lambda_compute_wall: float  # GB-s from the local wall time (an upper bound: see README)
    write_units_per_email: float = 0.0  # DynamoDB write units of the run, per email sent

    @property
    def infrastructure(self) -> float:
        return (
            self.sqs
            + self.dynamodb_writes
            + self.dynamodb_reads
            + self.lambda_requests
            + self.lambda_compute
        )

    @property
    def infrastructure_wall(self) -> float:
        return self.infrastructure - self.lambda_compute + self.lambda_compute_wall

    @property
    def ratio(self) -> float:
        return self.infrastructure / self.ses if self.ses else float("inf")

    @property
    def ratio_wall(self) -> float:
        return self.infrastructure_wall / self.ses if self.ses else float("inf")

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "infrastructure": self.infrastructure,
            "infrastructure_wall": self.infrastructure_wall,
            "infrastructure_over_ses": self.ratio,
            "infrastructure_over_ses_wall": self.ratio_wall,
        }


def per_million(counts: Counts, lambdas: list[LambdaUse], recipients: int) -> Cost:
    """The cost of a run, scaled to one million recipients."""
    if recipients <= 0:
        raise ValueError("no recipients")
    scale = 1_000_000 / recipients
    sqs = counts.total("sqs")
    dynamodb = counts.total("dynamodb")
    ses = counts.total("sesv2")
    invocations = sum(use.invocations for use in lambdas)
    gb_seconds = sum(use.cpu_seconds * use.memory_mb / 1024 for use in lambdas)
    gb_seconds_wall = sum(use.wall_seconds * use.memory_mb / 1024 for use in lambdas)
    return Cost(
        ses=ses.billed_requests * SES_PER_EMAIL * scale,
        sqs=sqs.billed_requests * SQS_PER_REQUEST * scale,
        dynamodb_writes=dynamodb.write_units * DYNAMODB_PER_WRITE_UNIT * scale,
        dynamodb_reads=dynamodb.read_units * DYNAMODB_PER_READ_UNIT * scale,
        lambda_requests=invocations * LAMBDA_PER_REQUEST * scale,
        lambda_compute=gb_seconds * LAMBDA_PER_GB_SECOND * scale,
        lambda_compute_wall=gb_seconds_wall * LAMBDA_PER_GB_SECOND * scale,
        write_units_per_email=dynamodb.write_units / recipients,
    )
