"""What the figures were measured on: cores, Python, Qt, PySide6, qasync, aiohttp."""

from __future__ import annotations

import os
import platform
import sys
from importlib.metadata import version
from typing import Any


def machine() -> dict[str, Any]:
    import PySide6
    from PySide6.QtCore import qVersion

    return {
        "cores": os.cpu_count(),
        "load_average_1m": load_average(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "qt": qVersion(),
        "pyside6": PySide6.__version__,
        "qasync": version("qasync"),
        "aiohttp": version("aiohttp"),
    }


def load_average() -> float | None:
    """The 1-minute load average (None where the system does not tell)."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
