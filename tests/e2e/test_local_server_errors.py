"""The local server's own errors: a client that leaves is not one."""

from __future__ import annotations

import pytest

from mobilise_local.server import _Server


def _handle(error: BaseException) -> None:
    try:
        raise error
    except BaseException:
        _Server.handle_error(object.__new__(_Server), None, ("127.0.0.1", 1))


@pytest.mark.parametrize("error", [BrokenPipeError(32, "pipe"), ConnectionResetError(104, "reset")])
def test_a_browser_that_drops_its_connection_prints_no_traceback(
    error: OSError, capsys: pytest.CaptureFixture[str]
) -> None:
    """A browser cancels requests it no longer needs (a page left, a preview replaced): the
    stack's tests fail on any traceback it prints, so this must print none."""
    _handle(error)
    assert capsys.readouterr().err == ""


def test_any_other_error_of_a_request_is_still_printed(capsys: pytest.CaptureFixture[str]) -> None:
    _handle(ValueError("a bug"))
    assert "ValueError: a bug" in capsys.readouterr().err
