"""The petition page's weight on a phone: its HTML and the CSS it loads, each compressed on
its own as it travels (gzip level 9), for a realistic petition (a long description, three
updates). The aim of issue 13: under 30 KB. Past a network's burst the page also loads the
proof-of-work widget (its script, CSS and worker): measured apart, as only those signers
download it.

The page is rendered by the api function in this process, on moto (no network): what
``GET /p/{petition_id}`` answers, and the files of ``/static/`` its tags name.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from mobilise_bench.env import use_fake_aws
from mobilise_bench.system import STARTER, System, on_moto

DESCRIPTION = (
    "The council plans to close the Rue Voltaire library in June and sell the building. "
    "It is the only library within walking distance for 12,000 people, and the only place "
    "where the neighbourhood's children do their homework after school. "
) * 5
AIM_BYTES = 30 * 1024
NAT = "198.51.100.200"


@dataclass(frozen=True)
class PageWeight:
    files: dict[str, tuple[int, int]]  # path: (raw bytes, gzip bytes)

    @property
    def raw_bytes(self) -> int:
        return sum(raw for raw, _ in self.files.values())

    @property
    def gzip_bytes(self) -> int:
        return sum(packed for _, packed in self.files.values())


@dataclass(frozen=True)
class PetitionPageSizes:
    page: PageWeight  # the petition page, as every visitor loads it
    with_proof: PageWeight  # the same past the burst: the form with the widget
    aim_bytes: int = AIM_BYTES

    @property
    def within_aim(self) -> bool:
        return self.page.gzip_bytes < self.aim_bytes


def _gzip(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def _weight(system: System, path: str, html: str) -> PageWeight:
    files = {path: (len(html.encode()), _gzip(html.encode()))}
    for name in re.findall(r'(?:href|src|data-worker)="(/static/[^"?]+)', html):
        data = system.request("GET", name).text.encode()
        files[name] = (len(data), _gzip(data))
    return PageWeight(files)


def petition_page_sizes() -> PetitionPageSizes:
    """The weights, measured on a petition of this process's own (moto, fake credentials)."""
    use_fake_aws()
    from mobilise.core import clock

    with on_moto({}) as system:
        petition_id = system.create_petition(STARTER, description=DESCRIPTION)
        for index in range(3):
            _seed_update(system, petition_id, index)
        path = f"/p/{petition_id}"
        page = _weight(system, path, system.request("GET", path).text)
        form = {"name": "Sam", "email": "sam@example.org"}
        clock.freeze(clock.now())  # the burst in one fixed rate window, however slow the machine
        try:
            for index in range(4):  # the burst, then the page that asks for the proof
                form["email"] = f"sam{index}@example.org"
                asked = system.request(
                    "POST",
                    path,
                    raw=urlencode(form),
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                    source_ip=NAT,
                )
        finally:
            clock.reset()
        assert asked.status == 429, asked.text
        return PetitionPageSizes(page, _weight(system, path, asked.text))


def _seed_update(system: System, petition_id: str, index: int) -> None:
    """A published news update with a paragraph of text."""
    from mobilise.core import clock, ids
    from mobilise.table.models import Update, bound

    bound()
    update_id = ids.new_id()
    Update(
        *Update.key(petition_id, update_id),
        update_id=update_id,
        petition_id=petition_id,
        type="news",
        title=f"We handed the petition to the council, part {index + 1}",
        body="Thank you all. " * 20,
        status="published",
        created_at=clock.now(),
        published_at=clock.now(),
    ).save()


def main() -> None:
    sizes = petition_page_sizes()
    for label, weight in (("page", sizes.page), ("with proof of work", sizes.with_proof)):
        print(f"petition {label}: {weight.gzip_bytes / 1024:.1f} KB gzip")  # noqa: T201
        for path, (raw, packed) in weight.files.items():
            print(f"  {path}: {raw} bytes, {packed} gzip")  # noqa: T201


if __name__ == "__main__":
    main()
