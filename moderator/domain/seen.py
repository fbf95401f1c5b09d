"""Bookkeeping of a compacted conference (compaction.py): the sequence numbers it has seen below
its checkpoint, and dropping keys below the checkpoint from a sorted index."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import TypeVar

_K = TypeVar("_K", bound=tuple[int, int, int])


class SeenSequences:
    """A set of callback sequence numbers kept as sorted, disjoint [start, end) runs: a
    conference's numbers are consecutive, so a whole meeting is a run or a few."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def __contains__(self, sequence: int) -> bool:
        at = bisect.bisect_right(self._starts, sequence) - 1
        return at >= 0 and sequence < self._ends[at]

    def __len__(self) -> int:
        return sum(end - start for start, end in zip(self._starts, self._ends, strict=True))

    @property
    def runs(self) -> int:
        return len(self._starts)

    def update(self, sequences: Iterable[int]) -> None:
        for sequence in sorted(sequences):
            self.add(sequence)

    def add(self, sequence: int) -> None:
        if sequence in self:
            return
        at = bisect.bisect_right(self._starts, sequence)  # runs before: at - 1 and below
        joins_left = at > 0 and self._ends[at - 1] == sequence
        joins_right = at < len(self._starts) and self._starts[at] == sequence + 1
        if joins_left and joins_right:
            self._ends[at - 1] = self._ends[at]
            del self._starts[at], self._ends[at]
        elif joins_left:
            self._ends[at - 1] = sequence + 1
        elif joins_right:
            self._starts[at] = sequence
        else:
            self._starts.insert(at, sequence)
            self._ends.insert(at, sequence + 1)


def drop_below(keys: list[_K], floor: _K) -> None:
    """Remove the keys below `floor` from a sorted list, in place."""
    del keys[: bisect.bisect_left(keys, floor)]
