"""Is the console ready for a real call? Twilio account, public URL chain, phone number."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Check:
    """One link of the chain: ok (True), broken (False) or not known / not used (None)."""

    ok: bool | None
    detail: str  # one line for the tool tip: what was checked and what it found

    @property
    def mark(self) -> str:
        return {True: "✓", False: "✗", None: "—"}[self.ok]


UNCHECKED = Check(None, "not checked yet")


@dataclass(frozen=True)
class Readiness:
    """The three links a real call walks: Twilio → public URL → this console, number → here."""

    twilio: Check = UNCHECKED
    tunnel: Check = UNCHECKED
    number: Check = UNCHECKED
    checked: bool = field(default=False, compare=False)
    # whether the waiting room's hold music plays: told, never part of `ready` (a call works
    # without music)
    music: Check = UNCHECKED

    @property
    def ready(self) -> bool:
        """Twilio and the tunnel work, and the number points here (or the host uses own TwiML)."""
        return self.twilio.ok is True and self.tunnel.ok is True and self.number.ok is not False

    def lines(self) -> list[tuple[str, Check]]:
        return [("Twilio", self.twilio), ("Tunnel", self.tunnel), ("Number", self.number)]

    def all_lines(self) -> list[tuple[str, Check]]:
        """The three links and the hold music."""
        return [*self.lines(), ("Music", self.music)]
