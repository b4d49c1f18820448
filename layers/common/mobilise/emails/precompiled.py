"""The templates, compiled before any function runs, so that no event compiles them (issue 14).

Jinja2 turns a template into Python the first time it is used: lexing, parsing and writing
the module cost the deliver function's first event some 50 to 90 ms for an update's email
(``update.html``, ``update.txt`` and what they include). ``templates.zip`` holds every
template already turned into its module (:func:`build`: ``python -m mobilise.emails.precompiled``,
like the catalogs' ``.mo``, committed; a test checks it is current), and :class:`Precompiled`
loads a template from there. What is left of the first use is Python compiling that module,
about a quarter of the whole.

Each module is named by the template's name, its source and Jinja2's version: a template
changed since the archive was built, or added, or read by another Jinja2, finds no module
and is compiled from its source as before. The archive can be out of date, and slower, but
it never serves an old template.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, MutableMapping
from functools import cached_property
from hashlib import sha1
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import jinja2
from jinja2 import BaseLoader, Environment, Template

ARCHIVE = Path(__file__).with_name("templates.zip")
_EPOCH = (1980, 1, 1, 0, 0, 0)  # every entry's date: building twice writes the same archive


def entry_name(name: str, source: str) -> str:
    """The archive's entry for the template ``name`` compiled from ``source`` by this Jinja2."""
    key = f"{jinja2.__version__}\0{name}\0{source}".encode()
    return f"{sha1(key, usedforsecurity=False).hexdigest()}.py"


class Precompiled(BaseLoader):
    """The templates of ``source``, each from its module in ``archive`` when the archive has
    one compiled from the same source, else compiled from the source."""

    def __init__(self, source: BaseLoader, archive: Path = ARCHIVE) -> None:
        self.source = source
        self.path = archive

    @cached_property
    def archive(self) -> ZipFile | None:
        return ZipFile(self.path) if self.path.is_file() else None

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        return self.source.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return self.source.list_templates()

    def load(
        self,
        environment: Environment,
        name: str,
        globals: MutableMapping[str, Any] | None = None,
    ) -> Template:
        """As :meth:`BaseLoader.load` does, with the Python that Jinja2 would write read from
        the archive (Python compiles it, as it compiles what Jinja2 writes)."""
        source, filename, uptodate = self.get_source(environment, name)
        try:
            module = self.archive.read(entry_name(name, source)) if self.archive else None
        except KeyError:
            module = None
        if module is None:
            return super().load(environment, name, globals)
        code = compile(module, filename or "<template>", "exec")
        return environment.template_class.from_code(environment, code, globals or {}, uptodate)


def build(environment: Environment, archive: Path = ARCHIVE) -> list[str]:
    """Compile every template of ``environment`` into ``archive``; their names."""
    names = sorted(environment.list_templates())
    assert environment.loader is not None
    with ZipFile(archive, "w") as modules:
        for name in names:
            source, filename, _ = environment.loader.get_source(environment, name)
            entry = ZipInfo(entry_name(name, source), date_time=_EPOCH)
            entry.compress_type = ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            modules.writestr(entry, environment.compile(source, name, filename, raw=True))
    return names


if __name__ == "__main__":
    import importlib

    rendering = importlib.import_module("mobilise.emails.rendering")  # which imports this module
    compiled = build(rendering._templates())
    sys.stdout.write(f"{len(compiled)} templates compiled into {ARCHIVE}\n")
