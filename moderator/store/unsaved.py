"""Actions whose journal writes are still queued: reads see them before the disk has them."""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moderator.store.journal import ActionRecord


class UnsavedActions:
    """The latest state of every action with a write still queued, keyed by its handle.

    `record_action` answers at once with a handle (the row id is known only once the writer
    thread has inserted the row); `finish_action` and `confirm_action` are queued behind the
    insert and find the row through the handle. The event loop's thread adds and reads; the
    writer thread maps rows and retires writes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handles = itertools.count(1)
        self._latest: dict[int, ActionRecord] = {}  # every action of this run (a few per minute)
        self._queued: dict[int, int] = {}  # handle -> writes not yet finished
        self._rows: dict[int, int] = {}  # handle -> row id, once inserted
        self._handle_of_row: dict[int, int] = {}

    def add(self, record: ActionRecord) -> int:
        """A new action (its insert is about to be queued); returns its handle."""
        handle = next(self._handles)
        with self._lock:
            self._latest[handle] = record
            self._queued[handle] = 1
        return handle

    def update(self, handle: int, **changes: Any) -> bool:
        """A finish or confirm about to be queued; False for a handle this journal never gave."""
        with self._lock:
            record = self._latest.get(handle)
            if record is None:
                return False
            self._latest[handle] = dataclasses.replace(record, **changes)
            self._queued[handle] = self._queued.get(handle, 0) + 1
            return True

    def stored(self, handle: int, row: int) -> None:
        """Writer thread, inside the insert's transaction: before any reader can see the row."""
        with self._lock:
            self._rows[handle] = row
            self._handle_of_row[row] = handle

    def row(self, handle: int) -> int | None:
        with self._lock:
            return self._rows.get(handle)

    def written(self, handle: int) -> None:
        """Writer thread: one queued write of this action finished (committed or failed)."""
        with self._lock:
            left = self._queued.get(handle, 1) - 1
            if left > 0:
                self._queued[handle] = left
            else:
                self._queued.pop(handle, None)

    def pending(self) -> dict[int, ActionRecord]:
        """Take this before reading the table (see `merge`)."""
        with self._lock:
            return {handle: self._latest[handle] for handle in self._queued}

    def merge(
        self, pending: dict[int, ActionRecord], stored: Iterable[ActionRecord]
    ) -> Iterator[ActionRecord]:
        """The stored rows with unsaved states laid over them, then actions not yet inserted.

        `pending` was taken before the table was read: a write it lacks had committed by then,
        and a row mapped after that was mapped before its commit, so nothing shows twice.
        """
        shown: set[int] = set()
        for record in stored:
            with self._lock:
                handle = self._handle_of_row.get(record.id)
            if handle is not None and handle in pending:
                shown.add(handle)
                yield dataclasses.replace(pending[handle], id=record.id)
            else:
                yield record
        for handle, record in pending.items():
            if handle not in shown:
                yield record
