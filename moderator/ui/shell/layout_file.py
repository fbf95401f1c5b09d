"""The window's layout (geometry, splitter positions) in a small JSON file beside the settings.

It is written by a short-lived thread that the window waits for a bounded time: the file sits
on the journal's disk, and a quit during a frozen disk must go on without the layout rather
than hang until the disk comes back. Plain Python file I/O releases the GIL while the kernel
waits; QSettings.sync() under PySide does not, so it would hold up the window's thread anyway.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import threading
from pathlib import Path

log = logging.getLogger(__name__)

LAYOUT_FILE = "layout.json"
WRITE_WAIT = 2.0  # seconds a quit waits for the layout file before leaving without it


def layout_path(settings_file: str) -> Path:
    """Where the layout lives: beside the settings file."""
    return Path(settings_file).with_name(LAYOUT_FILE)


def read_layout(path: Path) -> dict[str, bytes]:
    """What write_layout stored; {} when there is none or it cannot be read."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict):
        return {}
    layout = {}
    for key, value in stored.items():
        try:
            layout[key] = base64.b64decode(value, validate=True)
        except (TypeError, binascii.Error):
            log.warning("ignoring an unreadable saved window layout (%s)", key)
    return layout


def _write(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)  # a reader never sees half a file


def write_layout(path: Path, layout: dict[str, bytes]) -> bool:
    """Write `layout` on a thread and wait at most WRITE_WAIT s; False if it was not written."""
    wait = WRITE_WAIT
    text = json.dumps(
        {key: base64.b64encode(value).decode("ascii") for key, value in layout.items()}
    )
    written = threading.Event()
    failure: list[OSError] = []

    def write() -> None:
        try:
            _write(path, text)
        except OSError as exc:
            failure.append(exc)
        written.set()

    threading.Thread(target=write, name="layout-writer", daemon=True).start()
    if not written.wait(wait):
        log.warning("window layout not saved: the disk took no write in %g s", wait)
        return False
    if failure:
        log.warning("window layout not saved: %s", failure[0].strerror or failure[0])
        return False
    return True
