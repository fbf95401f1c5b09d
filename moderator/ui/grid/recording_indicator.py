"""The REC indicator beside the conference title: recording, paused or changing; its menu
pauses, resumes or stops the recording (stopping asks first: it cannot be undone). The same menu
is the Meeting menu's Recording submenu."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtWidgets import QMenu, QMessageBox, QToolButton, QWidget

from moderator.control.interface import RecordingService
from moderator.control.results import ActionResult
from moderator.domain.recordings import IN_PROGRESS, PAUSED, STOPPED
from moderator.ui.async_slot import async_slot
from moderator.ui.dialogs import message_box

RECORDING_TEXT = "● REC"
PAUSED_TEXT = "❚❚ REC paused"
CHANGING = {PAUSED: "Pausing…", IN_PROGRESS: "Resuming…", STOPPED: "Stopping…"}


class RecordingIndicator(QToolButton):
    """Shown while the shown conference's recording is live (hidden otherwise)."""

    def __init__(
        self,
        service: RecordingService,
        conference_sid: Callable[[], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recordingIndicator")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._service = service
        self._conference_sid = conference_sid
        self.menu_ = QMenu("&Recording", self)
        self.pause_action = self.menu_.addAction("Pause recording")
        self.resume_action = self.menu_.addAction("Resume recording")
        self.menu_.addSeparator()
        self.stop_action = self.menu_.addAction("Stop recording")
        self.pause_action.triggered.connect(self._pause)
        self.resume_action.triggered.connect(self._resume)
        self.stop_action.triggered.connect(self._stop)
        self.setMenu(self.menu_)
        service.changed.connect(self._on_service)
        self.refresh()

    def _on_service(self, conf_sid: str) -> None:
        if conf_sid == self._conference_sid():
            self.refresh()

    def refresh(self) -> None:
        """Follow the shown conference's recording (call when the conference shown changes)."""
        sid = self._conference_sid()
        recording = self._service.state(sid) if sid else None
        asked = self._service.asked(sid) if sid else None
        if recording is None or not (recording.live or asked):
            for action in (self.pause_action, self.resume_action, self.stop_action):
                action.setEnabled(False)  # the Meeting menu's copy: nothing to change
            self.hide()
            return
        paused = recording.status == PAUSED
        self.setText(CHANGING[asked] if asked else (PAUSED_TEXT if paused else RECORDING_TEXT))
        self.setProperty("state", "pending" if asked else recording.status)
        self.setToolTip(f"Recording {recording.sid}: {recording.status}")
        self.pause_action.setEnabled(asked is None and not paused)
        self.resume_action.setEnabled(asked is None and paused)
        self.stop_action.setEnabled(asked is None)
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()

    @async_slot()
    async def _pause(self) -> None:
        await self._act(self._service.pause)

    @async_slot()
    async def _resume(self) -> None:
        await self._act(self._service.resume)

    @async_slot()
    async def _stop(self) -> None:
        if self.ask_to_stop():
            await self._act(self._service.stop)

    def ask_to_stop(self) -> bool:
        """Stopping ends the recording for good (a new one is a new file): the host confirms."""
        box = message_box(
            self.window(),
            "warning",
            "Stop recording",
            "Stop recording this meeting?",
            "A stopped recording cannot be resumed; recording again starts a new file.",
        )
        stop = box.addButton("Stop recording", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # Enter must not stop it
        box.exec()
        return box.clickedButton() is stop

    async def _act(self, action: Callable[[str], Awaitable[ActionResult]]) -> None:
        sid = self._conference_sid()
        if sid:
            await action(sid)  # a failure reaches the host through notify
        self.refresh()
