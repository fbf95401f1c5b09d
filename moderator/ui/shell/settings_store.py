"""Reads and writes the declared settings (moderator/settings.py) through QSettings; secrets
never go here."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QSettings

from moderator.settings import SETTINGS, Settings

log = logging.getLogger(__name__)

GROUP = "console"


def _convert(raw: Any, kind: type) -> Any:
    """QSettings hands back strings (INI files, the registry): coerce to the setting's type."""
    if kind is bool:
        if isinstance(raw, str):
            return raw.strip().lower() in ("true", "1", "yes")
        return bool(raw)
    if kind in (int, float):
        return kind(raw)
    return str(raw)


def load_settings(store: QSettings) -> Settings:
    """The saved settings; a missing or unreadable value falls back to its default."""
    values: dict[str, Any] = {}
    store.beginGroup(GROUP)
    try:
        for declared in SETTINGS:
            # the current name first, then the names an older version saved it under
            saved = [key for key in (declared.key, *declared.old_keys) if store.contains(key)]
            if not saved:
                continue
            try:
                values[declared.key] = _convert(store.value(saved[0]), declared.type)
            except (TypeError, ValueError):
                log.warning("ignoring an unreadable saved setting %s", declared.key)
    finally:
        store.endGroup()
    return Settings(**values)


def save_settings(store: QSettings, settings: Settings) -> None:
    """Write every field and flush to disk at once, so a crash does not lose them."""
    store.beginGroup(GROUP)
    try:
        for declared in SETTINGS:
            store.setValue(declared.key, getattr(settings, declared.key))
    finally:
        store.endGroup()
    store.sync()
