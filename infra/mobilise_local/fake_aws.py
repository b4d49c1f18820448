"""The fake credentials every local process and test runs with (no moto here: the unit
tests' conftest imports this, and they never load an AWS emulator)."""

from __future__ import annotations

FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
}
