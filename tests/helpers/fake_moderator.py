"""A ModeratorService for UI tests: records each call and checks what it is asked.

Unlike a fake that accepts any attribute, this one offers exactly the Protocol's methods with
its signatures (a misspelt call or a wrong argument fails the test) and refuses arguments that
could not be a conference or call SID.
"""

from __future__ import annotations

from typing import Any

from moderator.control.interface import ModeratorService
from moderator.control.results import ActionResult, BulkResult
from moderator.control.status import ConnectionState, TwilioStatus
from moderator.dispatch import Signal
from moderator.domain.roster import Roster
from moderator.domain.sids import CALL, CONFERENCE, is_sid
from moderator.settings import Settings

Call = tuple[Any, ...]


class FakeModerator:
    """Answers like the real service (ok results); `calls` lists what the UI asked, in order."""

    def __init__(
        self,
        state: TwilioStatus | None = None,
        settings: Settings | None = None,
        roster: Roster | None = None,
    ) -> None:
        self.calls: list[Call] = []
        self.roster = roster  # given: the presenter is written to it, as the service does
        self.connection_state = state or TwilioStatus(ConnectionState.CONNECTED)
        self.settings = settings or Settings()
        self.host_changed: Signal[[str]] = Signal("fake.host_changed")
        self._me: str | None = None
        self._coached: str | None = None
        self.flying: dict[str, str] = {}  # what in_flight says, per ConferenceSid

    def _record(self, name: str, conf_sid: str, call_sid: str | None, *rest: Any) -> None:
        if not is_sid(conf_sid, CONFERENCE):
            raise AssertionError(f"{name}: {conf_sid!r} is not a ConferenceSid")
        if call_sid is not None and not is_sid(call_sid, CALL):
            raise AssertionError(f"{name}: {call_sid!r} is not a CallSid")
        self.calls.append((name, conf_sid, *([call_sid] if call_sid else []), *rest))

    async def mute(self, conf_sid: str, call_sid: str) -> ActionResult:
        self._record("mute", conf_sid, call_sid)
        return ActionResult(True)

    async def unmute(self, conf_sid: str, call_sid: str) -> ActionResult:
        self._record("unmute", conf_sid, call_sid)
        return ActionResult(True)

    async def hold(
        self, conf_sid: str, call_sid: str, music_url: str | None = None
    ) -> ActionResult:
        self._record("hold", conf_sid, call_sid, *([music_url] if music_url else []))
        return ActionResult(True)

    async def unhold(self, conf_sid: str, call_sid: str) -> ActionResult:
        self._record("unhold", conf_sid, call_sid)
        return ActionResult(True)

    async def kick(self, conf_sid: str, call_sid: str) -> ActionResult:
        self._record("kick", conf_sid, call_sid)
        return ActionResult(True)

    async def toggle_mute(self, conf_sid: str, call_sid: str) -> ActionResult:
        self._record("toggle_mute", conf_sid, call_sid)
        return ActionResult(True)

    async def toggle_hold(self, conf_sid: str, call_sid: str) -> ActionResult:
        self._record("toggle_hold", conf_sid, call_sid)
        return ActionResult(True)

    async def mute_all(self, conf_sid: str, *, except_presenter: bool = True) -> BulkResult:
        self._record("mute_all", conf_sid, None, ("except_presenter", except_presenter))
        return BulkResult(attempted=1)

    async def unmute_all(self, conf_sid: str) -> BulkResult:
        self._record("unmute_all", conf_sid, None)
        return BulkResult(attempted=1)

    def choose_presenter(self, conf_sid: str, call_sid: str | None) -> None:
        self._record("choose_presenter", conf_sid, call_sid)
        if self.roster is not None:
            self.roster.choose_presenter(conf_sid, call_sid)

    async def end_conference(self, conf_sid: str) -> ActionResult:
        self._record("end_conference", conf_sid, None)
        return ActionResult(True)

    async def dial_out(self, conf_sid: str, number: str, label: str | None = None) -> ActionResult:
        if not number.startswith("+"):
            raise AssertionError(f"dial_out: {number!r} is not an E.164 number")
        self._record("dial_out", conf_sid, None, number, label)
        return ActionResult(True)

    async def reconcile(self, conf_sid: str | None = None) -> None:
        if conf_sid is not None:
            self._record("reconcile", conf_sid, None)

    async def announce_text(
        self, conf_sid: str, text: str, call_sid: str | None = None
    ) -> ActionResult:
        self._record("announce_text", conf_sid, call_sid, text)
        return ActionResult(True)

    def me(self, conf_sid: str) -> str | None:
        return self._me

    def in_flight(self, conf_sid: str) -> str | None:
        return self.flying.get(conf_sid)

    def coaching(self, conf_sid: str) -> tuple[str, str] | None:
        return (self._me, self._coached) if self._me and self._coached else None

    def this_is_me(self, conf_sid: str, call_sid: str | None) -> None:
        self._record("this_is_me", conf_sid, call_sid)
        self._me = call_sid
        self.host_changed.emit(conf_sid)

    async def whisper(self, conf_sid: str, call_sid: str) -> ActionResult:
        self._record("whisper", conf_sid, call_sid)
        self._coached = call_sid
        self.host_changed.emit(conf_sid)
        return ActionResult(True)

    async def stop_whisper(self, conf_sid: str) -> ActionResult:
        self._record("stop_whisper", conf_sid, None)
        self._coached = None
        self.host_changed.emit(conf_sid)
        return ActionResult(True)

    async def call_me(self, conf_sid: str) -> ActionResult:
        self._record("call_me", conf_sid, None)
        return ActionResult(True)


def as_service(fake: FakeModerator) -> ModeratorService:
    """The fake, typed as what the UI receives (mypy checks it offers the whole seam)."""
    return fake
