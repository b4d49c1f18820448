"""The templates, compiled before any function runs, so that no event compiles them (issue 14).

Jinja2 turns a template into Python the first time it is used: lexing, parsing and writing
the module cost the deliver function's first event some 50 to 90 ms for an update's email
(``update.html``, ``update.txt`` and what they include). ``templates.zip`` holds every
template already turned into its module (:func:`build`: ``python -m mobilise.emails.precompiled``,
like the catalogs' ``.mo``, committed; a test checks it is current), and :class:`Precompiled`
loads a template from there.

Each module is named by the template's name, its source and Jinja2's version: a template
changed since the archive was built, or added, or read by another Jinja2, finds no module
and is compiled from its source as before. The archive can be out of date, and slower, but
it never serves an old template.

What that left of a first use was Python compiling the module: about a quarter of the whole,
15 to 20 ms for the petition's page or an update's email on the machine of issue 14's runs.
The layer's build (``layers/common/Makefile``), which compiles every ``.py`` of the layer,
compiles the archive's modules too, with Lambda's Python (:func:`compile_archive`:
``templates.pyc.zip``, never committed); a module whose bytecode is there is unmarshalled (a
fortieth of compiling it), one whose bytecode is not, or is another Python's, compiled.
"""

from __future__ import annotations

import marshal
import sys
from collections.abc import Callable, MutableMapping
from functools import cached_property
from hashlib import sha1
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import jinja2
from jinja2 import BaseLoader, Environment, Template

ARCHIVE = Path(__file__).with_name("templates.zip")
#: The archive's modules as bytecode, written by the layer's build with Lambda's Python.
BYTECODE = ARCHIVE.with_name("templates.pyc.zip")
#: The bytecode archive's entry naming the Python that wrote it (its magic number, PEP 3147).
MAGIC = "MAGIC"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # every entry's date: building twice writes the same archive
_COMPILED_AS = "<template>"  # the file name a module's bytecode is compiled with; see _named


def entry_name(name: str, source: str) -> str:
    """The archive's entry for the template ``name`` compiled from ``source`` by this Jinja2."""
    key = f"{jinja2.__version__}\0{name}\0{source}".encode()
    return f"{sha1(key, usedforsecurity=False).hexdigest()}.py"


class Precompiled(BaseLoader):
    """The templates of ``source``, each from its module in ``archive`` (or that module's
    bytecode in ``bytecode``) when the archive has one compiled from the same source, else
    compiled from the source."""

    def __init__(
        self, source: BaseLoader, archive: Path = ARCHIVE, bytecode: Path = BYTECODE
    ) -> None:
        self.source = source
        self.path = archive
        self.bytecode_path = bytecode

    @cached_property
    def archive(self) -> ZipFile | None:
        return ZipFile(self.path) if self.path.is_file() else None

    @cached_property
    def bytecode(self) -> ZipFile | None:
        """The archive's modules as bytecode, if there are any, of this Python."""
        if not self.bytecode_path.is_file():
            return None
        compiled = ZipFile(self.bytecode_path)
        if compiled.read(MAGIC) != MAGIC_NUMBER:
            compiled.close()
            return None
        return compiled

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
        the archive: unmarshalled from its bytecode if the layer's build wrote it for this
        Python, else compiled (as Python compiles what Jinja2 writes)."""
        source, filename, uptodate = self.get_source(environment, name)
        entry = entry_name(name, source)
        code = self._unmarshalled(entry, filename) or self._compiled(entry, filename)
        if code is None:
            return super().load(environment, name, globals)
        return environment.template_class.from_code(environment, code, globals or {}, uptodate)

    def _unmarshalled(self, entry: str, filename: str | None) -> CodeType | None:
        """The module of ``entry`` from the bytecode archive, as compiled from ``filename``."""
        try:
            compiled = self.bytecode.read(entry) if self.bytecode else None
        except KeyError:
            return None
        # the layer's own bytecode, written by its build beside the code (S302)
        return None if compiled is None else _named(marshal.loads(compiled), filename)  # noqa: S302

    def _compiled(self, entry: str, filename: str | None) -> CodeType | None:
        """The module of ``entry`` from the archive, compiled now."""
        try:
            module = self.archive.read(entry) if self.archive else None
        except KeyError:
            return None
        return None if module is None else compile(module, filename or _COMPILED_AS, "exec")


def _named(code: CodeType, filename: str | None) -> CodeType:
    """``code``, compiled as :data:`_COMPILED_AS`, as if compiled from ``filename`` (the name a
    traceback and the template's ``filename`` show): each code object in it renamed too, as
    Python's import system renames a module's bytecode loaded from another path."""
    if filename is None or filename == code.co_filename:
        return code
    constants = tuple(
        _named(constant, filename) if isinstance(constant, CodeType) else constant
        for constant in code.co_consts
    )
    return code.replace(co_filename=filename, co_consts=constants)


def build(environment: Environment, archive: Path = ARCHIVE) -> list[str]:
    """Compile every template of ``environment`` into ``archive``; their names."""
    names = sorted(environment.list_templates())
    assert environment.loader is not None
    with ZipFile(archive, "w") as modules:
        for name in names:
            source, filename, _ = environment.loader.get_source(environment, name)
            _write(
                modules,
                entry_name(name, source),
                environment.compile(source, name, filename, raw=True),
            )
    return names


def compile_archive(archive: Path = ARCHIVE, target: Path = BYTECODE) -> int:
    """Write every module of ``archive`` into ``target`` as the running Python's bytecode (the
    layer's build, with Lambda's Python); how many."""
    with ZipFile(archive) as modules, ZipFile(target, "w") as compiled:
        names = sorted(modules.namelist())
        _write(compiled, MAGIC, MAGIC_NUMBER)
        for name in names:
            code = compile(modules.read(name), _COMPILED_AS, "exec")
            _write(compiled, name, marshal.dumps(code))
    return len(names)


def _write(archive: ZipFile, name: str, data: bytes | str) -> None:
    entry = ZipInfo(name, date_time=_EPOCH)
    entry.compress_type = ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    archive.writestr(entry, data)


if __name__ == "__main__":
    if sys.argv[1:] == ["--bytecode"]:  # the layer's build: layers/common/Makefile
        count = compile_archive()
        sys.stdout.write(f"{count} templates' modules compiled into {BYTECODE}\n")
    else:
        import importlib

        rendering = importlib.import_module("mobilise.emails.rendering")  # imports this module
        compiled = build(rendering._templates())
        sys.stdout.write(f"{len(compiled)} templates compiled into {ARCHIVE}\n")
