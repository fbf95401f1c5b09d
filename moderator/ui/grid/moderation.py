"""Turns the host's clicks, keys and menu picks into calls on the control service."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from moderator.control.results import ActionResult
from moderator.domain.roster import Participant, Roster
from moderator.ui.async_slot import async_slot
from moderator.ui.dialogs import message_box
from moderator.ui.grid.announce_dialog import RecentTexts, ask_announcement
from moderator.ui.grid.announcement_note import AnnouncementNote
from moderator.ui.grid.dial_out_dialog import DialOutDialog, DialOutRequest

if TYPE_CHECKING:
    from moderator.control.interface import ModeratorService

log = logging.getLogger(__name__)

Confirm = Callable[[str, str, str], bool]  # (title, question, verb on the button) -> go ahead?
AskAnnouncement = Callable[[str, list[str]], str | None]  # (to whom, recent texts) -> text
NO_CONTROL = "Not connected to Twilio: enter the Account SID and Auth Token in Settings"


class ModerationController(QObject):
    """Thin async slots: every action goes to the Moderator, which marks the tile pending,
    sends the REST call, and on failure rolls back and reports through `notify`.

    Confirmation (kick, end) is a callable so tests can answer it.
    """

    message = Signal(str, str)  # level, text: messages of the UI's own (e.g. "not connected")

    def __init__(
        self,
        roster: Roster,
        moderator: ModeratorService | None,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._roster = roster
        self.moderator = moderator
        self._window = parent
        self.conference_sid: str | None = None
        self.confirm: Confirm = self._ask
        # the meeting's end with its door and rooms (ui/door sets it): True when it took it over
        self.ending: Callable[[str], bool] | None = None
        self.dial_out_dialog: DialOutDialog | None = None  # the open one, kept while it calls
        self.recent = RecentTexts()  # the window gives it the settings file to keep them in
        # whom Announce… to everyone reaches, in the dialog's words (the door UI says "everyone
        # in the main meeting" while breakout rooms are open: the rooms do not hear it)
        self.everyone: Callable[[], str] = lambda: "everyone"
        self.ask_announcement: AskAnnouncement = lambda who, recent: ask_announcement(
            self._window, who, recent
        )
        self.note = AnnouncementNote()  # the header shows it: sent, heard, failed

    # ---- helpers ---------------------------------------------------------------------------

    def _target(self, call_sid: str) -> tuple[ModeratorService, str, Participant] | None:
        """The service, conference and participant for an action, or None (and say why)."""
        if self.moderator is None:
            self.message.emit("error", NO_CONTROL)
            return None
        if self.conference_sid is None:
            return None
        participant = self._roster.participant(self.conference_sid, call_sid)
        if participant is None or not participant.present:
            return None
        return self.moderator, self.conference_sid, participant

    def _conference(self) -> tuple[ModeratorService, str] | None:
        if self.moderator is None:
            self.message.emit("error", NO_CONTROL)
            return None
        if self.conference_sid is None:
            return None
        return self.moderator, self.conference_sid

    def _ask(self, title: str, question: str, verb: str) -> bool:
        box = message_box(self._window, "warning", title, question)
        go = box.addButton(verb, QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # Enter must not kick anyone
        box.exec()
        return box.clickedButton() is go

    # ---- one participant -------------------------------------------------------------------
    # Results need no handling here: the Moderator reports failures through notify.

    @async_slot(str)
    async def toggle_mute(self, call_sid: str) -> None:
        if target := self._target(call_sid):
            moderator, conf, _ = target
            await moderator.toggle_mute(conf, call_sid)

    @async_slot(str)
    async def toggle_hold(self, call_sid: str) -> None:
        if target := self._target(call_sid):
            moderator, conf, _ = target
            await moderator.toggle_hold(conf, call_sid)

    @async_slot(str)
    async def mute(self, call_sid: str) -> None:
        if target := self._target(call_sid):
            moderator, conf, _ = target
            await moderator.mute(conf, call_sid)

    @async_slot(str)
    async def unmute(self, call_sid: str) -> None:
        if target := self._target(call_sid):
            moderator, conf, _ = target
            await moderator.unmute(conf, call_sid)

    @async_slot(str)
    async def hold(self, call_sid: str) -> None:
        if target := self._target(call_sid):
            moderator, conf, _ = target
            await moderator.hold(conf, call_sid)

    @async_slot(str)
    async def unhold(self, call_sid: str) -> None:
        if target := self._target(call_sid):
            moderator, conf, _ = target
            await moderator.unhold(conf, call_sid)

    # Kick, end and dial-out ask first. The question is a modal dialog with its own event
    # loop, so it is asked here, in a plain slot, and only the REST call runs as a task:
    # a nested loop inside an asyncio task would run other tasks inside that one.

    @Slot(str)
    def kick(self, call_sid: str) -> None:
        target = self._target(call_sid)
        if target is None:
            return
        _, conf, participant = target
        question = f"Remove {participant.display_name} from the conference? Their call ends."
        if self.confirm("Remove participant", question, "Remove"):
            self._kick(conf, call_sid)

    @async_slot(str, str)
    async def _kick(self, conf: str, call_sid: str) -> None:
        if self.moderator is not None:
            await self.moderator.kick(conf, call_sid)

    def chose_presenter(self, call_sid: str) -> bool:
        """Whether the host made `call_sid` the presenter (not the roster's automatic choice)."""
        conf = self.conference_sid
        return conf is not None and self._roster.chosen_presenter(conf) == call_sid

    def toggle_presenter(self, call_sid: str) -> None:
        """The presenter is the console's own choice (kept out of mute-all); no REST call, but
        journaled by the service so a restart keeps it.

        Undoing the host's choice returns to the automatic presenter (whoever runs the call);
        the automatic presenter cannot be unset, so the menu does not offer it.
        """
        target = self._conference()
        if target is None:
            return
        moderator, conf = target
        chosen = None if self._roster.chosen_presenter(conf) == call_sid else call_sid
        moderator.choose_presenter(conf, chosen)

    def copy_number(self, call_sid: str) -> None:
        if self.conference_sid is None:
            return
        participant = self._roster.participant(self.conference_sid, call_sid)
        if participant is not None:
            QGuiApplication.clipboard().setText(participant.number or participant.call_sid)

    # ---- the host's own call, whisper coaching, announcements ------------------------------

    def toggle_me(self, call_sid: str) -> None:
        """ "This is me" (or, on the host's own tile, not me any more)."""
        target = self._conference()
        if target is None:
            return
        moderator, conf = target
        moderator.this_is_me(conf, None if moderator.me(conf) == call_sid else call_sid)

    @async_slot(str)
    async def whisper(self, call_sid: str) -> None:
        if target := self._target(call_sid):
            moderator, conf, _ = target
            await moderator.whisper(conf, call_sid)

    @async_slot(str)
    async def toggle_whisper(self, call_sid: str) -> None:
        """W on a tile: whisper to them, or stop when it is them (or you) being whispered."""
        if target := self._target(call_sid):
            moderator, conf, _ = target
            coaching = moderator.coaching(conf)
            if coaching is not None and call_sid in coaching:
                await moderator.stop_whisper(conf)
            else:
                await moderator.whisper(conf, call_sid)

    @async_slot()
    async def stop_whisper(self) -> None:
        if target := self._conference():
            moderator, conf = target
            await moderator.stop_whisper(conf)

    @async_slot()
    async def call_me(self) -> None:
        if target := self._conference():
            moderator, conf = target
            await moderator.call_me(conf)

    @Slot()
    def announce_all(self) -> None:
        self.announce(None)

    def announce(self, call_sid: str | None) -> None:
        """Ask for the text (a modal dialog, in this plain slot), then send it as a task."""
        target = self._conference()
        if target is None:
            return
        _, conf = target
        participant = self._roster.participant(conf, call_sid) if call_sid else None
        if call_sid is not None and (participant is None or not participant.present):
            return
        to_whom = participant.display_name if participant is not None else "everyone"
        asked = to_whom if participant is not None else self.everyone()
        text = self.ask_announcement(asked, self.recent.items())
        if text:
            self.recent.remember(text)
            self._announce(conf, call_sid or "", text, to_whom)

    @async_slot(str, str, str, str)
    async def _announce(self, conf: str, call_sid: str, text: str, to_whom: str) -> None:
        if self.moderator is None:
            return
        result = await self.moderator.announce_text(conf, text, call_sid or None)
        if result.ok:
            self.note.sent(conf, call_sid or None, to_whom)

    # ---- the whole conference --------------------------------------------------------------

    @async_slot()
    async def mute_all_but_presenter(self) -> None:
        if target := self._conference():
            moderator, conf = target
            await moderator.mute_all(conf, except_presenter=True)

    @async_slot()
    async def mute_everyone(self) -> None:
        if target := self._conference():
            moderator, conf = target
            await moderator.mute_all(conf, except_presenter=False)

    @async_slot()
    async def unmute_all(self) -> None:
        if target := self._conference():
            moderator, conf = target
            await moderator.unmute_all(conf)

    @Slot()
    def end_conference(self) -> None:
        target = self._conference()
        if target is None:
            return
        _, conf = target
        if self.ending is not None and self.ending(conf):
            return
        conference = self._roster.conference(conf)
        name = conference.friendly_name if conference and conference.friendly_name else conf
        question = f"End “{name}” for everyone? Every call in it is disconnected."
        if self.confirm("End conference", question, "End for everyone"):
            self._end(conf)

    @async_slot(str)
    async def _end(self, conf: str) -> None:
        if self.moderator is not None:
            await self.moderator.end_conference(conf)

    @Slot()
    def dial_out(self) -> None:
        """The Add participant form, open (not a nested event loop) until the call is placed."""
        target = self._conference()
        if target is None:
            return
        moderator, conf = target

        def place(request: DialOutRequest) -> Awaitable[ActionResult]:
            return moderator.dial_out(conf, request.number, request.label or None)

        self.dial_out_dialog = DialOutDialog(moderator.settings.caller_id, self._window, place)
        self.dial_out_dialog.open()

    @async_slot()
    async def reconcile(self) -> None:
        if self.moderator is None:
            self.message.emit("error", NO_CONTROL)
            return
        await self.moderator.reconcile(None)  # every live conference, not only the one shown
