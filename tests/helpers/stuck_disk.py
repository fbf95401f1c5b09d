"""A disk that stops taking SQLite writes until thawed, as a frozen file system does."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

import pytest

P = ParamSpec("P")
T = TypeVar("T")
_WRITE = re.compile(r"\s*(BEGIN|INSERT|UPDATE|DELETE|COMMIT|CLOSE)\b", re.IGNORECASE)


class StuckDisk:
    """While frozen, every write statement waits for `thaw` (at most `limit` seconds, so a
    test of code that writes on the event loop's thread fails instead of hanging)."""

    def __init__(self, limit: float = 15.0) -> None:
        self.limit = limit
        self._thawed = threading.Event()
        self._thawed.set()
        self._lock = threading.Lock()
        self.stuck = 0  # writes waiting right now
        self.open_connections = 0  # of every file: the last one's close writes
        self.threads: set[str] = set()  # the threads that had to wait

    def freeze(self) -> None:
        self._thawed.clear()

    def thaw(self) -> None:
        self._thawed.set()

    def holding(self, write: Callable[P, T]) -> Callable[P, T]:
        """`write` (a plain file write, e.g. the address book's) waits like a SQLite write."""

        def held(*args: P.args, **kwargs: P.kwargs) -> T:
            self.hold("INSERT")
            return write(*args, **kwargs)

        return held

    def hold(self, sql: str) -> None:
        if self._thawed.is_set() or not _WRITE.match(sql):
            return
        with self._lock:
            self.stuck += 1
            self.threads.add(threading.current_thread().name)
        try:
            self._thawed.wait(self.limit)
        finally:
            with self._lock:
                self.stuck -= 1


def stuck_disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[StuckDisk]:
    """For a fixture: every SQLite connection opened during the test writes through a StuckDisk."""
    disk = StuckDisk()

    class Connection(sqlite3.Connection):
        def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
            disk.hold(sql)
            return super().execute(sql, parameters)

        def close(self) -> None:
            with disk._lock:
                disk.open_connections -= 1
                last = disk.open_connections == 0
            if last:  # the last connection to close checkpoints and removes the WAL: it writes
                disk.hold("CLOSE")
            super().close()

    real_connect = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        kwargs.setdefault("factory", Connection)
        made = real_connect(*args, **kwargs)
        with disk._lock:
            disk.open_connections += 1
        return made

    monkeypatch.setattr(sqlite3, "connect", connect)
    yield disk
    disk.thaw()
