"""The door in the window: lock, waiting room and PIN toggles, the waiting strip, breakout
rooms, names from the address book (rename, always admit, CSV import/export), attention."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QToolButton,
)

from moderator.control.interface import DoorService
from moderator.domain.address_book import AddressBook, AddressBookError
from moderator.domain.door import PIN_ALARM_KIND, DoorEntry, DoorSettings, is_lobby
from moderator.domain.invitation import invitation_text
from moderator.domain.pin_guard import MAX_PIN_DIGITS, MIN_PIN_DIGITS, pin_problem
from moderator.domain.rooms import room_number
from moderator.domain.roster import Change, Conference, Participant
from moderator.ui.async_slot import async_slot
from moderator.ui.bridge import RosterBridge
from moderator.ui.dialogs import message_box
from moderator.ui.door.attention import Attention
from moderator.ui.door.breakout_panel import BreakoutPanel, TileDrag
from moderator.ui.door.waiting_strip import WaitingStrip
from moderator.ui.grid.moderation import NO_CONTROL
from moderator.ui.look import icons, theme
from moderator.ui.plain_text import ask_text
from moderator.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)

AskName = Callable[[Participant], str | None]
AskPin = Callable[[bool], str | None]  # (a PIN is set?) -> the new PIN, "" for none
AskPath = Callable[[bool], Path | None]  # (for saving?) -> the chosen CSV file
# (name, people in rooms, callers waiting) -> END, CLOSE_ROOMS_FIRST, or None (cancelled)
AskEnd = Callable[[str, int, int], str | None]
END, CLOSE_ROOMS_FIRST = "end", "close-rooms-first"


class DoorUi(QObject):
    """Installs the door's widgets and actions into a MainWindow (one hook: this class)."""

    def __init__(self, window: MainWindow, service: DoorService, bridge: RosterBridge) -> None:
        super().__init__(window)
        self.window = window
        self.service = service
        # dialogs are callables so tests can answer them
        self.ask_name: AskName = self._ask_name
        self.ask_pin: AskPin = self._ask_pin
        self.ask_path: AskPath = self._ask_path
        self.ask_end: AskEnd = self._ask_end
        # the number callers dial (the app knows it: a number connected here, or the caller ID)
        self.dial_in_number: Callable[[], str | None] = lambda: None

        self.strip = WaitingStrip(service)
        self.rooms = BreakoutPanel(service)
        self.rooms.recent = window.controller.recent  # one list of recent texts for both
        self.rooms.hosts_own = self._hosts_own
        window.controller.everyone = lambda: (
            "everyone in the main meeting (not the breakout rooms)"
            if service.rooms_open
            else "everyone"
        )
        self.rooms.hide()
        # tiles can be dragged onto a room while the rooms panel is shown
        self.tile_drag = TileDrag(window.grid, self.rooms.isVisible)
        window.insert_panel(self.strip)
        window.insert_panel(self.rooms)
        self.attention = Attention(window)
        self._build_actions()
        window.menu_hooks.append(self._extend_menu)
        window.follows = self._follows
        window.controller.ending = self.end_meeting

        bridge.changed.connect(self._on_changes)
        service.changed.connect(self._on_service)
        service.door.changed.connect(self._on_door)
        self.strip.arrived.connect(self._on_arrived)
        self._on_door(service.door.settings, service.door.book)
        if service.plan is not None:  # rooms restored at start (control/host_restore.py)
            self._on_service()

    # ---- toolbar ---------------------------------------------------------------------------

    def _action(self, text: str, icon: str, shortcut: str | None, tip: str) -> QAction:
        action = QAction(icons.icon(icon), text, self.window)
        action.setIconText(text.replace("&", "").removesuffix("…"))
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            tip = f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        self.window.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.lock_action = self._action(
            "&Lock", "lock", "Ctrl+L", "Lock the meeting: new callers are turned away"
        )
        self.lock_action.setCheckable(True)
        self.lock_action.toggled.connect(self.service.set_locked)
        self.waiting_action = self._action(
            "&Waiting room", "hourglass", "Ctrl+Shift+W", "New callers wait until you admit them"
        )
        self.waiting_action.setCheckable(True)
        self.waiting_action.toggled.connect(self.service.set_waiting_room)
        self.pin_action = self._action("&PIN…", "dialpad", None, "Ask callers for a PIN")
        self.pin_action.triggered.connect(self.change_pin)
        self.rooms_action = self._action(
            "&Breakout rooms", "groups", "Ctrl+B", "Plan, open and close breakout rooms"
        )
        self.rooms_action.setCheckable(True)
        self.rooms_action.toggled.connect(self._show_rooms)
        self.invite_action = self._action(
            "C&opy invitation", "copy", "Ctrl+Shift+I",
            "Copy the number to call (and the PIN, if you set it now) to paste in a chat",
        )  # fmt: skip
        self.invite_action.triggered.connect(self.copy_invitation)
        self.import_action = QAction("&Import address book…", self.window)
        self.import_action.setToolTip(
            "Add known callers from a CSV file (number,name,always_admit)"
        )
        self.import_action.triggered.connect(self.import_book)
        self.export_action = QAction("E&xport address book…", self.window)
        self.export_action.triggered.connect(self.export_book)
        self.badge = QLabel()
        self.badge.setObjectName("doorBadge")
        self.badge.setStyleSheet(f"color: {theme.WAITING.name()}; font-weight: bold;")
        # one "Door" button (lock, waiting room, PIN) rather than one button each, so the
        # toolbar keeps its labels at 1280 px; the Meeting menu lists them one by one
        self.door_button_menu = QMenu("Door", self.window)
        for action in (self.lock_action, self.waiting_action, self.pin_action):
            self.door_button_menu.addAction(action)
        self.door_button_menu.addSeparator()
        self.door_button_menu.addAction(self.invite_action)
        self.door_action = QAction(icons.icon("lock"), "Door", self.window)
        self.door_action.setMenu(self.door_button_menu)
        toolbar = self.window.toolbar
        before = self.window.end_action
        for action in (self.door_action, self.rooms_action):
            toolbar.insertAction(before, action)
        toolbar.insertSeparator(before)
        door_button = toolbar.widgetForAction(self.door_action)
        if isinstance(door_button, QToolButton):
            door_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.window.window_actions.toolbar_changed()
        door_menu = self._meeting_menu()
        door_menu.addSeparator()
        for action in (self.lock_action, self.waiting_action, self.pin_action, self.rooms_action):
            door_menu.addAction(action)
        door_menu.addAction(self.invite_action)
        door_menu.addSeparator()
        door_menu.addAction(self.import_action)
        door_menu.addAction(self.export_action)
        self.window.statusBar().addPermanentWidget(self.badge)

    def _meeting_menu(self) -> QMenu:
        """The menu bar's Meeting menu (a menu of our own if the window has none)."""
        bar = self.window.menuBar()
        for action in bar.actions():
            menu = action.menu()
            if isinstance(menu, QMenu) and action.text().replace("&", "") == "Meeting":
                return menu
        return bar.addMenu("&Meeting")

    def _show_rooms(self, shown: bool) -> None:
        self.rooms.setVisible(shown)
        if shown:
            self.rooms.refresh()

    # ---- the door's state, at a glance -----------------------------------------------------

    def _on_door(self, settings: DoorSettings, book: AddressBook) -> None:
        for action, on in (
            (self.lock_action, settings.locked),
            (self.waiting_action, settings.waiting_room),
        ):
            if action.isChecked() != on:
                action.blockSignals(True)
                action.setChecked(on)
                action.blockSignals(False)
        self.lock_action.setIconText("Locked" if settings.locked else "Lock")
        # on: the toolbar icon turns amber, so the state shows without reading anything
        for action, name, on in (
            (self.lock_action, "lock", settings.locked),
            (self.waiting_action, "hourglass", settings.waiting_room),
            (self.pin_action, "dialpad", bool(settings.pin_hash)),
        ):
            action.setIcon(icons.icon(name, theme.WAITING if on else None))
        self.pin_action.setText("Change &PIN…" if settings.pin_hash else "&PIN…")
        words = [
            word
            for word, on in (
                ("LOCKED", settings.locked),
                ("WAITING ROOM", settings.waiting_room),
                ("PIN", bool(settings.pin_hash)),
            )
            if on
        ]
        self.badge.setText("  ·  ".join(words))
        self.badge.setVisible(bool(words))
        self.badge.setToolTip(
            "The meeting's door: " + (", ".join(w.lower() for w in words) or "open")
        )
        # the Door button turns amber like the entries it holds
        self.door_action.setIcon(icons.icon("lock", theme.WAITING if words else None))
        self.door_action.setToolTip(
            "Who gets in: lock, waiting room, PIN · now "
            + (", ".join(w.lower() for w in words) or "open")
        )

    def change_pin(self) -> None:
        pin = self.ask_pin(bool(self.service.door.settings.pin_hash))
        if pin is None:
            return
        pin = pin.strip()
        problem = pin_problem(pin)
        if problem:
            self.window.show_message("error", f"The PIN was not changed: {problem}")
            return
        self.service.set_pin(pin)

    def _hosts_own(self) -> set[str]:
        """The host's own call in the meeting (This is me, Call me): it stays in main."""
        moderator, main = self.window.moderator, self.service.main_conference()
        me = moderator.me(main.sid) if moderator is not None and main is not None else None
        return {me} if me else set()

    def invitation(self) -> str:
        """The text *Copy invitation* puts on the clipboard."""
        return invitation_text(
            self.service.meeting,
            self.dial_in_number(),
            self.service.known_pin(),
            pin_set=bool(self.service.door.settings.pin_hash),
        )

    def copy_invitation(self) -> None:
        QGuiApplication.clipboard().setText(self.invitation())
        told = (
            ""
            if self.service.known_pin() or not self.service.door.settings.pin_hash
            else (" without the PIN: set it again (Door → Change PIN) to include it")
        )
        self.window.show_message("info", f"Invitation copied{told}")

    def _ask_pin(self, is_set: bool) -> str | None:
        # the console keeps only the PIN's hash, so a set PIN cannot be shown: only replaced
        told = " A PIN is set; a new one replaces it." if is_set else ""
        text, ok = QInputDialog.getText(
            self.window,
            "Meeting PIN",
            f"Callers key this PIN ({MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits) before they"
            f" join (empty: no PIN).{told}",
            QLineEdit.EchoMode.Normal,
            "",
        )
        return text if ok else None

    # ---- the meeting's end ------------------------------------------------------------------

    def end_meeting(self, conf_sid: str) -> bool:
        """End conference on the meeting: its door closes and its rooms end with it (the host
        chooses whether everyone comes back from the rooms first). False: not the meeting."""
        main = self.service.main_conference()
        if main is None or main.sid != conf_sid:
            return False
        in_rooms = sum(len(people) for people in self.service.room_people().values())
        choice = self.ask_end(main.friendly_name, in_rooms, len(self.service.waiting()))
        if choice is not None:
            self._end_meeting(conf_sid, choice == CLOSE_ROOMS_FIRST)
        return True

    @async_slot(str, bool)
    async def _end_meeting(self, conf_sid: str, close_rooms_first: bool) -> None:
        moderator = self.window.controller.moderator
        if moderator is None:
            self.window.show_message("error", NO_CONTROL)
            return
        await self.service.end_meeting(
            lambda: moderator.end_conference(conf_sid), close_rooms_first=close_rooms_first
        )

    def _ask_end(self, name: str, in_rooms: int, waiting: int) -> str | None:
        told = [f"Every call in “{name}” is disconnected."]
        if waiting:
            told.append(f"{waiting} waiting to join will hear that the meeting has ended.")
        if in_rooms:
            told.append(f"{in_rooms} in breakout rooms: their rooms end too, or bring them back.")
        box = message_box(self.window, "warning", "End meeting", f"End “{name}” for everyone?")
        box.setInformativeText(" ".join(told))
        end = box.addButton("End for everyone", QMessageBox.ButtonRole.DestructiveRole)
        first = None
        if in_rooms:
            first = box.addButton("Close rooms, then end", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # Enter ends nothing
        box.exec()
        clicked = box.clickedButton()
        return END if clicked is end else CLOSE_ROOMS_FIRST if clicked is first else None

    # ---- names -----------------------------------------------------------------------------

    def _extend_menu(self, menu: QMenu, participant: Participant) -> None:
        number = participant.number
        rename = menu.addAction(icons.icon("contacts"), "Rename…", lambda: self.rename(participant))
        admit = menu.addAction("Always admit")
        admit.setCheckable(True)
        admit.setChecked(self.service.door.book.always_admits(number))
        admit.toggled.connect(lambda on: self._always_admit(participant, on))
        if not number:
            rename.setEnabled(False)
            rename.setText("Rename… (number not known yet)")
            admit.setEnabled(False)
        main = self.service.main_conference()
        if main is not None and participant.conference_sid == main.sid:
            menu.addAction(
                icons.icon("hourglass"),
                "Send to waiting room",
                lambda: self.send_to_waiting(participant.call_sid),
            )
        plan = self.service.plan
        if plan is not None:  # rooms without drag and drop: one entry per room
            move = menu.addMenu(icons.icon("groups"), "Move to")
            move.addAction("Main meeting", lambda: self.rooms.place(participant.call_sid, None))
            for room in range(1, plan.count + 1):
                move.addAction(
                    f"Room {room}",
                    lambda room=room: self.rooms.place(participant.call_sid, room),  # type: ignore[misc]
                )

    @async_slot(str)
    async def send_to_waiting(self, call_sid: str) -> None:
        """Into the waiting room, as a caller the door made wait; Admit brings them back."""
        await self.service.send_to_waiting(call_sid)

    def rename(self, participant: Participant) -> None:
        if not participant.number:
            return
        name = self.ask_name(participant)
        if name is None:
            return
        try:
            self.service.rename(participant.number, name)
        except AddressBookError as exc:
            self.window.show_message("error", str(exc))

    def _always_admit(self, participant: Participant, on: bool) -> None:
        if participant.number:
            self.service.set_always_admit(participant.number, on)

    def _ask_name(self, participant: Participant) -> str | None:
        current = self.service.door.book.name_of(participant.number) or participant.label or ""
        return ask_text(
            self.window,
            "Rename caller",
            f"Name for {participant.number} (kept on this computer only):",
            current,
        )

    @async_slot()
    async def import_book(self) -> None:
        """Read the chosen CSV off the loop, the status bar counting the rows read."""
        path = self.ask_path(False)
        if path is None:
            return

        def progress(rows: int) -> None:
            self.window.statusBar().showMessage(f"Importing {path.name}: {rows:,} rows read…")

        try:
            count = await self.service.import_book(path, progress)
        except AddressBookError as exc:
            self.window.show_message("error", f"Nothing imported: {exc}")
            return
        self.window.show_message("info", f"Imported {count:,} callers from {path.name}")

    @async_slot()
    async def export_book(self) -> None:
        path = self.ask_path(True)
        if path is None:
            return
        try:
            count = await self.service.export_book(path)
        except OSError as exc:
            self.window.show_message("error", f"Could not export the address book: {exc}")
            return
        self.window.show_message("info", f"Exported {count:,} callers to {path}")

    def _ask_path(self, saving: bool) -> Path | None:
        caption = "Export address book" if saving else "Import address book"
        chooser = QFileDialog.getSaveFileName if saving else QFileDialog.getOpenFileName
        name, _ = chooser(self.window, caption, "address-book.csv", "CSV files (*.csv)")
        return Path(name) if name else None

    # ---- following the roster --------------------------------------------------------------

    def _follows(self, conference: Conference) -> bool:
        """The window follows the meeting, not its waiting room or breakout rooms."""
        name = conference.friendly_name
        return not is_lobby(name) and room_number(name, self.service.meeting) is None

    def _on_changes(self, changes: list[Change]) -> None:
        self.strip.refresh()
        if self.rooms.isVisible():
            self.rooms.refresh()

    def _on_service(self) -> None:
        self.strip.refresh()
        if self.service.plan is not None and not self.rooms.isVisible():
            self.rooms_action.setChecked(True)
        if self.rooms.isVisible():
            self.rooms.refresh()

    def _on_arrived(self, people: list[Participant]) -> None:
        names = ", ".join(p.display_name for p in people)
        self.attention.request("Waiting to join", f"{names} is in the waiting room")

    def on_door_entry(self, entry: DoorEntry) -> None:
        """A knock on a locked door, or many wrong PINs (the alarm), also asks for attention."""
        if entry.kind == "locked-out":
            self.attention.request("Knocking", f"{entry.who} tried to join the locked meeting")
        elif entry.kind == PIN_ALARM_KIND:
            self.attention.request("Someone may be guessing the PIN", entry.text)
