"""What the UI may call on control's services: the typed seam between ui/ and control/.

Views depend on these Protocols, not on the classes that implement them (Moderator,
DoorControl, RecordingControl), so they can be driven by any object that offers these calls
(the tests use a recording fake from tests/helpers/). Every coroutine returns a result and
never raises; failures also reach the host through the message sink (moderator/messages.py).
Views read domain state through these services and never write it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from pathlib import Path
from typing import Protocol

from moderator.control.results import ActionResult, BulkResult
from moderator.control.status import TwilioStatus
from moderator.dispatch import Signal
from moderator.domain.door import Door
from moderator.domain.recordings import Recording
from moderator.domain.rooms import RoomPlan
from moderator.domain.roster import Conference, Participant
from moderator.domain.transcripts import Line, Transcript
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

    async def announce_text(
        self, conf_sid: str, text: str, call_sid: str | None = None
    ) -> ActionResult:
        """Speak `text` to everyone in the conference, or to `call_sid` only."""
        ...

    # the host's own call and whisper coaching (host state: kept over a restart)

    @property
    def host_changed(self) -> Signal[[str]]:
        """Tells the ConferenceSid whose host call, whisper or `in_flight` changed."""
        ...

    def in_flight(self, conf_sid: str) -> str | None:
        """The host's end, announcement or dial-out not confirmed yet, as the header says it
        ("ending…", "dialling Dana…"; the conference's pending mark); None: nothing."""
        ...

    def me(self, conf_sid: str) -> str | None:
        """The host's own call, when it is in `conf_sid` now."""
        ...

    def coaching(self, conf_sid: str) -> tuple[str, str] | None:
        """(coach, coached) while the host whispers in `conf_sid`."""
        ...

    def this_is_me(self, conf_sid: str, call_sid: str | None) -> None: ...

    async def whisper(self, conf_sid: str, call_sid: str) -> ActionResult: ...

    async def stop_whisper(self, conf_sid: str) -> ActionResult: ...

    async def call_me(self, conf_sid: str) -> ActionResult: ...


class RecordingService(Protocol):
    """The conference recording's controls (control/recording.py is the real one)."""

    def asked(self, conf_sid: str) -> str | None:
        """The status asked for and not yet confirmed (the conference's pending mark)."""
        ...

    @property
    def changed(self) -> Signal[[str]]:
        """Tells the ConferenceSid whenever its recording or pending state changed."""
        ...

    def state(self, conf_sid: str) -> Recording | None: ...

    async def pause(self, conf_sid: str) -> ActionResult: ...

    async def resume(self, conf_sid: str) -> ActionResult: ...

    async def stop(self, conf_sid: str) -> ActionResult: ...


class CaptionsService(Protocol):
    """Live captions: the switch and what was said (control/captions.py is the real one)."""

    @property
    def on(self) -> bool:
        """Whether new callers are transcribed."""
        ...

    @property
    def transcript(self) -> Transcript:
        """Every line heard so far (finals in order, each call's partial), to read."""
        ...

    @property
    def lines(self) -> Signal[[Line]]:
        """A caption line shown, or a partial replaced (by a longer one or its final)."""
        ...

    @property
    def switched(self) -> Signal[[bool]]:
        """Captions turned on or off."""
        ...

    @property
    def ended(self) -> Signal[[str]]:
        """A transcription stopped or failed (its TranscriptionSid): its partial, if shown,
        will never become final."""
        ...

    def last_words(self, call_sid: str) -> str | None: ...

    async def set_on(self, on: bool) -> list[ActionResult]: ...


class DoorService(Protocol):
    """The meeting's door (lock, waiting room, PIN, address book), the waiting room and the
    breakout rooms (control/door_service.py's DoorControl is the real one)."""

    @property
    def door(self) -> Door:
        """The door's settings and address book, to read (and follow with `door.changed`);
        change them through the calls below, never on the Door itself."""
        ...

    @property
    def changed(self) -> Signal[[]]:
        """The plan or the rooms being open changed (a move under way shows on the people it
        moves: `Participant.moving`, the roster's pending overlay)."""
        ...

    @property
    def meeting(self) -> str: ...

    @property
    def plan(self) -> RoomPlan | None: ...

    @property
    def rooms_open(self) -> bool: ...

    def set_locked(self, locked: bool) -> None: ...

    def set_waiting_room(self, on: bool) -> None: ...

    def set_pin(self, pin: str) -> None: ...

    def known_pin(self) -> str | None:
        """The PIN in clear when the host typed it this session (for the invitation), else
        None; never read from the journal, which keeps only its salted hash."""
        ...

    def rename(self, number: str, name: str) -> None: ...

    def set_always_admit(self, number: str, always: bool) -> None: ...

    async def import_book(self, path: Path, progress: Callable[[int], None] | None = None) -> int:
        """Raises AddressBookError (nothing imported); `progress` hears rows read so far."""
        ...

    async def export_book(self, path: Path) -> int:
        """Raises OSError when the file cannot be written."""
        ...

    def waiting(self) -> list[Participant]: ...

    async def admit(self, call_sid: str) -> ActionResult: ...

    async def admit_all(self) -> list[ActionResult]: ...

    async def deny(self, call_sid: str) -> ActionResult: ...

    async def send_to_waiting(self, call_sid: str) -> ActionResult:
        """Move someone from the meeting to its waiting room (Admit brings them back)."""
        ...

    def main_conference(self) -> Conference | None: ...

    def main_people(self) -> list[Participant]: ...

    def room_people(self) -> dict[int, list[Participant]]: ...

    def plan_rooms(
        self,
        count: int,
        *,
        randomly: bool = False,
        keep_presenter: bool = True,
        seed: int | None = None,
        keep: Collection[str] = (),
    ) -> RoomPlan: ...

    async def place(self, call_sid: str, room: int | None) -> ActionResult: ...

    async def open_rooms(self) -> list[ActionResult]: ...

    async def close_rooms(self) -> list[ActionResult]: ...

    async def announce_rooms(self, text: str) -> ActionResult: ...

    async def end_meeting(
        self,
        end_main: Callable[[], Awaitable[ActionResult]],
        *,
        close_rooms_first: bool = False,
    ) -> list[ActionResult]:
        """End the meeting and close its door (waiting callers told and hung up, rooms end)."""
        ...
