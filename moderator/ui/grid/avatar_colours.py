"""Avatar colours: stable per person across runs and rejoins, and distinct among those present."""

from __future__ import annotations

import zlib
from collections.abc import Collection


def preferred_slot(key: str, size: int) -> int:
    """A palette slot derived from `key` alone (CRC-32: the same in every run, unlike hash())."""
    return zlib.crc32(key.encode("utf-8")) % size


class AvatarSlots:
    """Hands out palette slots by a stable key (the name on the tile).

    Each person gets their preferred slot unless someone present already wears it; then the
    next free one. A slot is kept for the session, so a rejoin keeps its colour, unless
    someone present took it meanwhile. Past `size` people present, colours repeat.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._slots: dict[str, int] = {}

    def assign(self, key: str, present: Collection[str]) -> int:
        """The slot for `key`, given the keys of everyone present (`key` may be among them)."""
        taken = {self._slots[k] for k in present if k != key and k in self._slots}
        kept = self._slots.get(key)
        if kept is not None and kept not in taken:
            return kept
        start = preferred_slot(key, self._size)
        slot = next(
            (s for s in ((start + i) % self._size for i in range(self._size)) if s not in taken),
            start,
        )
        self._slots[key] = slot
        return slot

    def slot(self, key: str) -> int:
        """The slot given to `key`, or its preferred one if it has none yet."""
        return self._slots.get(key, preferred_slot(key, self._size))
