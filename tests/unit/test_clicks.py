"""What /r/{token} may answer in Location (mobilise.clicks), without AWS."""

from __future__ import annotations

import pytest

from mobilise.clicks import is_safe_target


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example.org/a?b=c#d",
        "HTTPS://news.example.org/",
        "mailto:mayor@example.org?subject=Hi&body=a%0D%0Ab",
        "tel:+33142764040",
    ],
)
def test_https_with_a_host_mailto_and_tel_are_safe(url: str) -> None:
    assert is_safe_target(url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "http://news.example.org/a",
        "data:text/html,hi",
        "//evil.example/a",
        "/relative/path",
        "https:///no-host",
        "https:evil.example",
        "ftp://files.example.org/a",
        "https://news.example.org/a\r\nSet-Cookie: x=1",
        "https://news.example.org/a\nb",
        "https://news.example.org/\x00",
        "https://[::1",
        "",
    ],
)
def test_anything_else_is_not(url: str) -> None:
    assert not is_safe_target(url)
