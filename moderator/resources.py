"""Finds files under resources/ both from a source checkout and inside a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path

RESOURCES_DIR_NAME = "resources"


def resources_root() -> Path:
    """The resources/ folder: next to the package in a checkout, under sys._MEIPASS when frozen."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        # The spec must add the folder as ("resources", "resources") so it lands here.
        return Path(bundle) / RESOURCES_DIR_NAME
    return Path(__file__).resolve().parent.parent / RESOURCES_DIR_NAME


def path(*parts: str) -> Path:
    """The path of a bundled file, e.g. path("icons", "mic.svg"); FileNotFoundError if absent."""
    found = resources_root().joinpath(*parts)
    if not found.is_file():
        raise FileNotFoundError(f"resource not found: {'/'.join(parts)} (looked in {found})")
    return found


def read_text(*parts: str) -> str:
    """The text of a bundled file (UTF-8)."""
    return path(*parts).read_text(encoding="utf-8")
