"""Rendering every email and page from its Jinja2 templates (in ``templates/``): MIME on the
wire, inlined CSS, the text part beside the HTML.

``from mobilise.emails import rendering`` costs nothing until the module is used: the
renderer (Jinja2, Babel, css-inline: about 60 ms of a cold start) is imported by the first
event that renders, so that a function or an API route that renders nothing never loads it
(issue 14). This is the "lazy submodule" of Python's module ``__getattr__`` (PEP 562,
Scientific Python's SPEC 1); ``import mobilise.emails.rendering`` still imports it at once.
"""

from __future__ import annotations

import importlib
import types
from typing import Any

_LAZY = ("rendering",)


class _Deferred(types.ModuleType):
    """Stands for a submodule until one of its names is read, then forwards every read and
    write to it (so that a test's ``monkeypatch`` reaches the module itself). The import
    happens under the interpreter's import lock: two threads never see half a module."""

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module(self.__name__), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(importlib.import_module(self.__name__), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(importlib.import_module(self.__name__), name)


_deferred = {name: _Deferred(f"{__name__}.{name}") for name in _LAZY}


def __getattr__(name: str) -> types.ModuleType:
    """``from mobilise.emails import rendering`` before the module was imported: its stand-in.
    Once imported, the import system has set the attribute and this is no longer called."""
    try:
        return _deferred[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
