"""Every type's email rendered by headless Chromium (Debian's ``chromium``, installed by
``make chromium``) at 375 px and 800 px wide: screenshots under ``test-artifacts/emails/``,
and no horizontal overflow at 375 px.

Chromium is driven directly: ``--screenshot`` for the PNGs, ``--dump-dom`` on a page whose
inline script writes the email's ``document.documentElement.scrollWidth`` into the DOM. Host
names resolve to nothing, so the rendering cannot load anything from anywhere; the photo is
a local copy of the one the email names.
"""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from html import escape
from pathlib import Path

import pytest

from mobilise.core.links import SignerRef
from mobilise.delivery import sending
from tests import email_examples
from tests.email_examples import EXAMPLES, PETITION_ID, PHOTOS_URL, UPDATE_ID

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "emails"
NARROW, WIDE = 375, 800
HEIGHT = 2400
SIGNER = SignerRef(PETITION_ID, "ef" * 32, UPDATE_ID)
PHOTO = {"photo_id": "01J0000000000000000000000B", "alt": "La foule devant la mairie"}
WITH_PHOTO = {"news", "event", "victory"}
LONG_WORD = "Anticonstitutionnellement" * 12
#: The examples, and one of words too long for any line (they must break, not overflow).
CASES = [(kind, language) for kind in sorted(EXAMPLES) for language in ("fr", "en")] + [
    ("long_words", "fr")
]


#: Settings of a deployment and a fixed link key (see tests/conftest.py).
pytestmark = pytest.mark.usefixtures("offline")


def _png(width: int, height: int) -> bytes:
    """A PNG of a gradient (RGB), made here: the photo's stand-in, wider than any phone."""
    rows = b"".join(
        b"\x00"  # no filter
        + bytes(v for x in range(width) for v in (x * 255 // width, y * 255 // height, 120))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _email_html(kind: str, language: str, folder: Path) -> str:
    """The email as one signer receives it (their links in it), the photo made local."""
    if kind == "long_words":
        rendered = email_examples.render(
            "call_to_action",
            language,
            title=LONG_WORD[:150],
            body=f"{LONG_WORD} https://example.org/{'a' * 300}",
            message=LONG_WORD[:2000],
            tweet_text="Sauvez le bois",
        )
    elif kind in WITH_PHOTO:
        rendered = email_examples.render(kind, language, photo=PHOTO)
    else:
        rendered = email_examples.render(kind, language)
    html, _ = rendered.personalised(sending.recipient_links(SIGNER, rendered))
    photo = folder / "photo.png"
    if not photo.exists():
        photo.write_bytes(_png(1000, 600))
    return re.sub(
        re.escape(PHOTOS_URL) + r'/[^"]+', photo.as_uri(), html
    )  # the service's photo, as a file


def _chromium(*arguments: str, width: int, profile: Path) -> str:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `make chromium` (make test does)")
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing can be fetched from a host
        f"--user-data-dir={profile}",
        f"--window-size={width},{HEIGHT}",
        *arguments,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _scroll_width(html: str, folder: Path, name: str, width: int, profile: Path) -> int:
    """The email's ``document.documentElement.scrollWidth`` when its viewport is ``width`` wide.

    Headless Chromium will not make a window narrower than 500 px for ``--dump-dom``, so the
    email is laid out in a frame ``width`` px wide (its viewport, media queries and all) inside
    a wider window, and an inline script writes the frame document's scrollWidth into the DOM.
    """
    page = folder / f"{name}.measure.html"
    page.write_text(
        "<!doctype html><html><body style='margin:0'>"
        f"<iframe id='email' style='width:{width}px;height:{HEIGHT}px;border:0' "
        f'srcdoc="{escape(html, quote=True)}"></iframe>'
        "<script>document.getElementById('email').onload = function () {"
        "document.documentElement.setAttribute('data-scroll-width',"
        " this.contentDocument.documentElement.scrollWidth);};</script>"
        "</body></html>"
    )
    dom = _chromium("--dump-dom", page.as_uri(), width=WIDE, profile=profile)
    found = re.search(r'data-scroll-width="(\d+)"', dom)
    assert found, dom[-500:]
    return int(found.group(1))


@pytest.mark.parametrize(("kind", "language"), CASES, ids=[f"{k}-{lang}" for k, lang in CASES])
def test_the_email_reads_at_375_and_800_px_without_horizontal_overflow(
    kind: str, language: str, tmp_path: Path
) -> None:
    # Given the email of this type as a signer receives it
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    html = _email_html(kind, language, ARTIFACTS)
    name = f"{kind}-{language}"
    page = ARTIFACTS / f"{name}.html"
    page.write_text(html)

    # When Chromium renders it 375 and 800 px wide
    for width in (NARROW, WIDE):
        shot = ARTIFACTS / f"{name}-{width}.png"
        shot.unlink(missing_ok=True)
        _chromium(f"--screenshot={shot}", page.as_uri(), width=width, profile=tmp_path / "p")

        # Then a screenshot of that width is written
        assert _png_size(shot) == (width, HEIGHT)

    # and at 375 px nothing is wider than the window
    assert _scroll_width(html, tmp_path, name, NARROW, tmp_path / "p") <= NARROW


def test_the_overflow_measure_sees_an_overflowing_page(tmp_path: Path) -> None:
    # Given a page with a block 600 px wide (what a fixed-width email would be)
    html = "<!doctype html><html><body><div style='width:600px'>x</div></body></html>"

    # When it is measured as the emails are
    width = _scroll_width(html, tmp_path, "wide", NARROW, tmp_path / "p")

    # Then the measure reports the overflow (so the test above can fail)
    assert width > NARROW
