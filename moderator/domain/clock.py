"""The one clock: now, as an aware UTC datetime (every module that needs "now" takes this)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Now in UTC, timezone-aware."""
    return datetime.now(timezone.utc)
