"""What the UI may call on the control service: the typed seam between ui/ and control/.

Views depend on this Protocol, not on the Moderator class, so they can be driven by any object
that offers these calls (the tests use a recording fake from tests/helpers/). Every coroutine
returns a result and never raises; failures also reach the host through `notify`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from moderator.control.results import ActionResult, BulkResult
from moderator.control.status import TwilioStatus
from moderator.domain.recordings import Recording
from moderator.settings import Settings


class ModeratorService(Protocol):
    """Acting on a conference: participant and conference actions, bulk, reconcile."""

    @property
    def connection_state(self) -> TwilioStatus:
        """How the last REST call went (the status bar shows it)."""
        ...

    @property
    def settings(self) -> Settings:
        """The settings in effect (the dial-out dialog shows the caller ID). Changing them is
        the app's job, not the views'."""
        ...

    async def mute(self, conf_sid: str, call_sid: str) -> ActionResult: ...

    async def unmute(self, conf_sid: str, call_sid: str) -> ActionResult: ...

    async def hold(
        self, conf_sid: str, call_sid: str, music_url: str | None = None
    ) -> ActionResult: ...

    async def unhold(self, conf_sid: str, call_sid: str) -> ActionResult: ...

    async def kick(self, conf_sid: str, call_sid: str) -> ActionResult: ...

    async def toggle_mute(self, conf_sid: str, call_sid: str) -> ActionResult:
        """Unmute if the tile shows muted (a pending mute included), else mute."""
        ...

    async def toggle_hold(self, conf_sid: str, call_sid: str) -> ActionResult: ...

    async def mute_all(self, conf_sid: str, *, except_presenter: bool = True) -> BulkResult: ...

    async def unmute_all(self, conf_sid: str) -> BulkResult: ...

    async def end_conference(self, conf_sid: str) -> ActionResult: ...

    def choose_presenter(self, conf_sid: str, call_sid: str | None) -> None:
        """The host's presenter (None: the automatic one); journaled, no REST call."""
        ...

    async def dial_out(
        self, conf_sid: str, number: str, label: str | None = None
    ) -> ActionResult: ...

    async def reconcile(self, conf_sid: str | None = None) -> None: ...


class RecordingService(Protocol):
    """The conference recording's controls (control/recording.py is the real one)."""

    pending: dict[str, str]  # ConferenceSid -> the status asked for, until confirmed
    listeners: list[Callable[[str], None]]  # told the ConferenceSid of every change

    def state(self, conf_sid: str) -> Recording | None: ...

    async def pause(self, conf_sid: str) -> ActionResult: ...

    async def resume(self, conf_sid: str) -> ActionResult: ...

    async def stop(self, conf_sid: str) -> ActionResult: ...
