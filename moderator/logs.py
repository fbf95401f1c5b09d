"""Logging set-up: stderr for the terminal, a rotating file under the platform's log dir.

The file is written by a thread of its own: the log folder usually sits on the same disk as
the journal, and a frozen or slow disk must not stop the window or the webhook server at their
first log line (the journal's writes already run on a thread for the same reason).
"""

from __future__ import annotations

import logging
import logging.handlers
import queue
import threading
from pathlib import Path

import platformdirs

from moderator import APP_NAME
from moderator.private import FILE_MODE, narrow, private_folder

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
CLOSE_WAIT_SECONDS = 5.0  # at exit, how long queued lines may wait for a disk that is stuck


class BackgroundFileHandler(logging.handlers.QueueHandler):
    """Queues records for a daemon thread that hands them to `target` (the rotating file).

    Logging returns at once whatever the disk does; at close the queued lines are written,
    waiting at most `close_wait` seconds, so a frozen disk costs its lines, not the exit.
    """

    def __init__(self, target: logging.Handler, close_wait: float = CLOSE_WAIT_SECONDS) -> None:
        self._records: queue.SimpleQueue[logging.LogRecord | None] = queue.SimpleQueue()
        super().__init__(self._records)
        self.target = target
        self.baseFilename: str = getattr(target, "baseFilename", "")  # where the crash dialog looks
        self._close_wait = close_wait
        self._thread = threading.Thread(target=self._write_all, name="log-writer", daemon=True)
        self._thread.start()

    def _write_all(self) -> None:
        while (record := self._records.get()) is not None:
            self.target.handle(record)
        self.target.close()

    def close(self) -> None:
        if self._thread.is_alive():
            self._records.put(None)
            self._thread.join(self._close_wait)
            if self._thread.is_alive():
                _abandon(self.target)
        super().close()


def _nothing() -> None:
    """What an abandoned handler does when asked to lock, flush or close."""


def _abandon(target: logging.Handler) -> None:
    """Leave `target` to the writer thread stuck in the disk, for good.

    That thread holds the target's lock inside a write; logging.shutdown() at interpreter exit
    would wait for that lock and then flush a stream the disk holds, keeping the process alive
    until the disk thaws (seen: SIGTERM on a frozen disk, and the process stayed). The lines
    still queued are what the frozen disk costs.
    """
    for name in ("acquire", "release", "flush", "close"):
        setattr(target, name, _nothing)


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
        private_folder(log_dir)  # 0700; the logs name callers
        path = log_dir / "moderator.log"
        file_handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
        narrow(path, FILE_MODE)  # new here: made under the caller's umask
    except OSError:
        return None
    file_handler.setLevel(logging.DEBUG)
    file_handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(BackgroundFileHandler(file_handler))
    return path
