"""What the control service hands back to the UI: an action's outcome, a bulk action's tally."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActionResult:
    """`ok`, or the user-readable `message` ("Could not mute Bob: …")."""

    ok: bool
    message: str | None = None


@dataclass(frozen=True)
class BulkResult:
    """How many participants a bulk action was sent to, and (display name, reason) per failure."""

    attempted: int
    failed: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def succeeded(self) -> int:
        return self.attempted - len(self.failed)
