"""Logging set-up: stderr for the terminal, a rotating file under the platform's log dir."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import platformdirs

from moderator import APP_NAME

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def default_log_dir() -> Path:
    return platformdirs.user_log_path(APP_NAME, appauthor=False)


def setup_logging(verbose: bool, log_dir: Path | None = None) -> Path | None:
    """Configure the root logger; returns the log file path (None if it cannot be written)."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.INFO)
    console.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(console)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)  # logs request bodies
    log_dir = log_dir or default_log_dir()
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / "moderator.log"
        file_handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None
    file_handler.setLevel(logging.DEBUG)
    file_handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(file_handler)
    return path
