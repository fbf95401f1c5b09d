"""Reads and writes the Settings dataclass through QSettings (secrets never go here)."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from PySide6.QtCore import QSettings

from moderator.settings import Settings

log = logging.getLogger(__name__)

GROUP = "console"


# setting -> the name an older version saved it under
RENAMED = {"rest_concurrency": "bulk_concurrency"}  # it caps every REST call, not bulk ones


def _convert(raw: Any, default: Any) -> Any:
    """QSettings hands back strings from INI files and the registry: coerce to the field's type."""
    if isinstance(default, bool):
        if isinstance(raw, str):
            return raw.strip().lower() in ("true", "1", "yes")
        return bool(raw)
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return str(raw)


def load_settings(store: QSettings) -> Settings:
    """The saved settings; a missing or unreadable value falls back to its default."""
    defaults = Settings()
    values: dict[str, Any] = {}
    store.beginGroup(GROUP)
    try:
        for field in dataclasses.fields(Settings):
            key = field.name
            if not store.contains(key) and store.contains(RENAMED.get(key, key)):
                key = RENAMED[key]  # saved by an older version under its old name
            if not store.contains(key):
                continue
            default = getattr(defaults, field.name)
            try:
                values[field.name] = _convert(store.value(key), default)
            except (TypeError, ValueError):
                log.warning("ignoring an unreadable saved setting %s", field.name)
    finally:
        store.endGroup()
    return dataclasses.replace(defaults, **values)


def save_settings(store: QSettings, settings: Settings) -> None:
    """Write every field and flush to disk at once, so a crash does not lose them."""
    store.beginGroup(GROUP)
    try:
        for field in dataclasses.fields(Settings):
            store.setValue(field.name, getattr(settings, field.name))
    finally:
        store.endGroup()
    store.sync()
