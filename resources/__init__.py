"""The app's own files (style sheet, icons): package data read with importlib.resources.

This folder is the top-level resources/ of the checkout, installed as the package
moderator.resources (pyproject.toml's package-dir), so an editable install, a wheel and the
PyInstaller bundle all find the files the same way: next to this module. resources/executable/
holds what the executable is built with; it is not package data.
"""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

# Files extracted to a temporary path (only for a package imported from a zip) stay until exit.
_extracted = ExitStack()
atexit.register(_extracted.close)


def _find(*parts: str) -> Traversable:
    found = resources.files(__name__).joinpath(*parts)
    if not found.is_file():
        raise FileNotFoundError(f"resource not found: {'/'.join(parts)} (looked in {found})")
    return found


def path(*parts: str) -> Path:
    """A file system path of a bundled file, e.g. path("icons", "mic.svg") (Qt loads by path)."""
    found = _find(*parts)
    if isinstance(found, Path):
        return found
    return _extracted.enter_context(resources.as_file(found))


def read_text(*parts: str) -> str:
    """The text of a bundled file (UTF-8)."""
    return _find(*parts).read_text(encoding="utf-8")
