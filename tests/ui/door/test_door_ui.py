"""The door in the window: waiting strip, lock toggle and badge, address book, breakout rooms."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel, QToolButton

from moderator.control.actions.lifecycle import Lifecycle
from moderator.control.client import TwilioRest
from moderator.control.door_service import DoorControl
from moderator.control.tasks import TaskSet
from moderator.credentials import Credentials
from moderator.domain.actions import CONFIRM_GRACE, ActionKind, Target
from moderator.domain.address_book import AddressBook
from moderator.domain.door import PIN_ALARM_KIND, Addresses, Door, DoorEntry
from moderator.domain.host_state import pin_matches
from moderator.domain.roster import Roster
from moderator.messages import Messages
from moderator.settings import Settings
from moderator.store.journal import Journal
from moderator.ui.bridge import RosterBridge
from moderator.ui.door.breakout_panel import CALL_SID_MIME, RoomColumn
from moderator.ui.door.door_ui import DoorUi
from moderator.ui.grid.roles import Role
from moderator.ui.shell.main_window import MainWindow
from tests.forms import CONFERENCE_SID, call_sid, form, team_meeting
from tests.helpers.fake_moderator import FakeModerator

from ..conftest import Feed

LOBBY_SID = "CF" + "7" * 32
ALICE = "+14155550101"
ZED = "+14155550199"


def lobby(sequence: int, who: str) -> dict[str, str]:
    return form(
        "participant-join",
        sequence,
        who=who,
        conference_sid=LOBBY_SID,
        friendly_name="TeamMeeting-lobby",
    )


@pytest.fixture
def service_messages() -> Messages:
    """What the door service tells the host (held until a test connects a sink)."""
    return Messages()


@pytest.fixture
def door_journal(tmp_path: Path) -> Iterator[Journal]:
    """The journal the door service writes its decisions to."""
    journal = Journal.in_dir(tmp_path)
    yield journal
    journal.close()


def door_addresses() -> Addresses:
    return Addresses("TeamMeeting", "https://x.example", "https://x.example/cb")


def no_credentials() -> TwilioRest:
    """A REST client without credentials: moves explain, none is sent."""
    return TwilioRest(Credentials(), Settings())


@pytest.fixture
def service(
    tmp_path: Path, roster: Roster, service_messages: Messages, door_journal: Journal
) -> DoorControl:
    lifecycle = Lifecycle(
        roster,
        door_journal,
        no_credentials(),
        TaskSet(),
        notify=service_messages.send,
        grace=CONFIRM_GRACE,
        on_stale=lambda _conference: None,
    )
    return DoorControl(
        lifecycle,
        Door(book=AddressBook().with_name(ALICE, "Alice Smith")),
        door_addresses,
        book_file=tmp_path / "address-book.csv",
    )


@pytest.fixture
def door_ui(
    qtbot: Any,
    themed: QApplication,
    qloop: qasync.QEventLoop,
    bridge: RosterBridge,
    roster: Roster,
    feed: Feed,
    service: DoorControl,
) -> DoorUi:
    roster.note_caller(call_sid("Alice"), ALICE)
    roster.set_names(service.door.book.name_of)
    service.door.changed.connect(lambda _settings, book: roster.set_names(book.name_of))
    feed(*team_meeting())
    window = MainWindow(bridge, None)
    qtbot.addWidget(window)
    made = DoorUi(window, service, bridge)
    window.show()
    qtbot.waitExposed(window)
    return made


@pytest.mark.parametrize("width", [1280, 1366, 1440])
def test_the_full_toolbar_keeps_its_labels_on_a_laptop_screen(
    qtbot: Any, door_ui: DoorUi, width: int
) -> None:
    window = door_ui.window
    window.resize(width, 800)
    qtbot.waitUntil(lambda: window.width() == width, timeout=5000)
    toolbar = window.toolbar
    assert toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    shown = [
        a.iconText()
        for a in toolbar.actions()
        if a.iconText() and toolbar.widgetForAction(a).isVisible()  # type: ignore[union-attr]
    ]
    assert shown == [
        "Mute all but presenter",
        "Mute everyone",
        "Unmute all",
        "Add participant",
        "Announce",
        "Door",
        "Breakout rooms",
        "End conference",
        "Refresh",
        "Settings",
    ]
    # the door's toggles are one button's menu; Refresh and Settings are icons (F5, Ctrl+,)
    assert door_ui.door_button_menu.actions()[:2] == [door_ui.lock_action, door_ui.waiting_action]
    refresh = toolbar.widgetForAction(window.reconcile_action)
    assert isinstance(refresh, QToolButton)
    assert refresh.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly


def test_waiting_strip_shows_names_and_hides_when_empty(
    qtbot: Any, door_ui: DoorUi, feed: Feed, roster: Roster
) -> None:
    strip = door_ui.strip
    assert strip.isHidden()
    roster.note_caller(call_sid("Zed"), ZED)
    roster.note_caller(call_sid("Ann"), ALICE)
    feed(lobby(1, "Zed"), lobby(2, "Ann"))
    assert strip.isVisible()
    assert strip.title.text() == "WAITING (2)"
    texts = [strip.model.index(r).data() for r in range(strip.model.rowCount())]
    assert texts[0].startswith("Zed  ·  waiting")
    assert texts[1].startswith("Alice Smith  ·  waiting")  # the address book names the number
    assert ZED in strip.model.index(0).data(Qt.ItemDataRole.ToolTipRole)
    # the lobby is not followed: the window still shows the meeting
    assert door_ui.window.conference_sid == CONFERENCE_SID
    feed(form("participant-leave", 3, who="Zed", conference_sid=LOBBY_SID,
              friendly_name="TeamMeeting-lobby"))  # fmt: skip
    assert strip.title.text() == "WAITING (1)"
    assert strip.model.rowCount() == 1


def test_someone_waiting_asks_for_attention_when_the_window_is_not_active(
    qtbot: Any, door_ui: DoorUi, feed: Feed
) -> None:
    door_ui.attention.tray = None  # no tray here: the taskbar entry flashes instead
    door_ui.window.isActiveWindow = lambda: False  # type: ignore[method-assign]
    feed(lobby(1, "Zed"))
    assert door_ui.attention.last == ("Waiting to join", "Zed is in the waiting room")


def test_the_pin_alarm_asks_for_attention(qtbot: Any, door_ui: DoorUi) -> None:
    door_ui.attention.tray = None
    door_ui.window.isActiveWindow = lambda: False  # type: ignore[method-assign]
    now = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)
    door_ui.on_door_entry(DoorEntry(now, call_sid("Zed"), ZED, None, PIN_ALARM_KIND))
    assert door_ui.attention.last is not None
    title, text = door_ui.attention.last
    assert title == "Someone may be guessing the PIN" and "door now answers slowly" in text


HOSTILE = '<h1 style="color:red">FAKE: account suspended</h1><img src="https://evil.example/x">'
HOSTILE_SID = "CF" + "8" * 32


def test_caller_supplied_text_is_never_drawn_as_html(
    qtbot: Any, door_ui: DoorUi, feed: Feed, service: DoorControl
) -> None:
    window = door_ui.window
    feed(
        form("participant-join", 1, who=HOSTILE, conference_sid=HOSTILE_SID, friendly_name=HOSTILE),
        form("conference-start", 2, conference_sid=HOSTILE_SID, friendly_name=HOSTILE),
        lobby(3, HOSTILE),
    )
    window.picker.setCurrentIndex(window.conferences.index(window.conferences.row_of(HOSTILE_SID)))
    window.show_message("error", f"Could not admit {HOSTILE}")
    service.plan_rooms(2)
    door_ui.rooms_action.setChecked(True)
    qtbot.waitUntil(lambda: window.header.title.text() == HOSTILE)
    # every label showing it shows it as text: no headline, no image fetched
    showing = [label for label in window.findChildren(QLabel) if "<h1" in label.text()]
    assert len(showing) >= 2  # the header's title, the status bar's error
    for label in showing:
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()
    # every tooltip showing it is HTML that shows the text literally
    models = [window.participants, window.conferences, window.log_model, door_ui.strip.model]
    tips = [
        str(model.index(row, column).data(Qt.ItemDataRole.ToolTipRole) or "")
        for model in models
        for row in range(model.rowCount())
        for column in range(5 if model is window.log_model else 1)
    ]
    tips += [
        door_ui.rooms.columns[0].item(r).toolTip() for r in range(door_ui.rooms.columns[0].count())
    ]
    hostile_tips = [tip for tip in tips if "FAKE" in tip]
    assert len(hostile_tips) >= 3  # a tile, the conference list, the log, the waiting strip
    for tip in hostile_tips:
        assert "<h1" not in tip and "<img" not in tip and "&lt;h1" in tip


def test_the_strip_reads_the_one_pending_overlay(
    qtbot: Any, door_ui: DoorUi, feed: Feed, roster: Roster
) -> None:
    feed(lobby(1, "Zed"))
    zed = Target.participant(LOBBY_SID, call_sid("Zed"))
    now = datetime.now(timezone.utc)

    def line() -> str:
        return str(door_ui.strip.model.index(0).data())

    roster.mark(zed, ActionKind.MUTE, now, token=1)  # pending, but not a move
    qtbot.wait(50)
    assert "moving" not in line()
    roster.mark(zed, ActionKind.ADMIT, now, token=2)
    qtbot.waitUntil(lambda: line().endswith("· moving…"), timeout=2000)
    roster.unmark(zed, token=2)
    qtbot.waitUntil(lambda: "moving" not in line(), timeout=2000)


def test_a_room_column_reads_the_one_pending_overlay(
    qtbot: Any, door_ui: DoorUi, roster: Roster
) -> None:
    charles = Target.participant(CONFERENCE_SID, call_sid("Charles"))
    column = RoomColumn(1)
    qtbot.addWidget(column)

    def shown() -> str:
        person = roster.participant(CONFERENCE_SID, call_sid("Charles"))
        assert person is not None
        column.show_people([person])
        return column.item(0).text()

    assert not shown().endswith("moving…")
    roster.mark(charles, ActionKind.MOVE, datetime.now(timezone.utc), token=3)
    assert shown().endswith("· moving…")
    roster.unmark(charles, token=3)
    assert not shown().endswith("moving…")


def test_admit_without_twilio_says_why_and_keeps_them_waiting(
    qtbot: Any, door_ui: DoorUi, feed: Feed, service_messages: Messages
) -> None:
    messages: list[str] = []
    service_messages.connect(lambda level, text: messages.append(text))
    feed(lobby(1, "Zed"))
    door_ui.strip.admit_button.click()
    qtbot.waitUntil(lambda: bool(messages), timeout=2000)
    assert messages == ["Could not let in Zed: no Twilio credentials are configured"]
    assert door_ui.strip.model.rowCount() == 1


def test_lock_toggle_badge_shortcut_and_journal(
    qtbot: Any, door_ui: DoorUi, service: DoorControl, door_journal: Journal
) -> None:
    assert door_ui.badge.isHidden()
    door_ui.lock_action.trigger()
    assert service.door.settings.locked
    assert door_ui.badge.text() == "LOCKED" and door_ui.badge.isVisible()
    assert door_ui.lock_action.iconText() == "Locked"
    assert door_ui.lock_action.shortcut().toString() == "Ctrl+L"
    service.set_waiting_room(True)  # changed elsewhere: the toolbar follows
    assert door_ui.waiting_action.isChecked()
    assert door_ui.badge.text() == "LOCKED  ·  WAITING ROOM"
    door_ui.lock_action.trigger()
    kinds = [a.kind for a in door_journal.actions()]
    assert kinds == ["lock", "waiting-room-on", "unlock"]


def test_pin_is_set_from_the_window_never_journaled(
    qtbot: Any, door_ui: DoorUi, service: DoorControl, door_journal: Journal
) -> None:
    door_ui.ask_pin = lambda is_set: "12x"
    door_ui.change_pin()
    assert service.door.settings.pin_hash == ""
    door_ui.ask_pin = lambda is_set: "246"  # too short: guessed in minutes
    door_ui.change_pin()
    assert service.door.settings.pin_hash == ""
    log = door_ui.window.log_model
    assert "guessed in minutes" in log.entry(log.rowCount() - 1).details
    door_ui.ask_pin = lambda is_set: " 2468 "
    door_ui.change_pin()
    pin_hash = service.door.settings.pin_hash
    assert pin_matches("2468", pin_hash)
    assert "PIN" in door_ui.badge.text()
    # the journal holds the salted hash (whose hex digits may happen to hold "2468"), no PIN
    journaled = str([(a.kind, a.params) for a in door_journal.actions()])
    assert "2468" not in journaled.replace(pin_hash, "")


def test_rename_from_the_tile_menu_names_the_tile_and_saves_the_book(
    qtbot: Any, door_ui: DoorUi, service: DoorControl, tmp_path: Path
) -> None:
    window = door_ui.window
    sid = call_sid("Alice")
    menu = {a.text(): a for a in window.build_menu(sid).actions()}
    assert list(menu)[-1] == "Remove from call…"
    door_ui.ask_name = lambda participant: "Alice from Sales"
    menu["Rename…"].trigger()
    row = window.participants.row_of(sid)
    assert window.participants.index(row).data(Role.PARTICIPANT).display_name == "Alice from Sales"
    book_file = tmp_path / "address-book.csv"  # saved by the journal's writer thread
    qtbot.waitUntil(
        lambda: book_file.exists() and "+14155550101,Alice from Sales," in book_file.read_text()
    )
    menu = {a.text(): a for a in window.build_menu(sid).actions()}
    menu["Always admit"].trigger()
    assert service.door.book.always_admits(ALICE)
    # a participant whose number is not known cannot be renamed
    no_number = {a.text(): a for a in window.build_menu(call_sid("Mary")).actions()}
    assert not no_number["Rename… (number not known yet)"].isEnabled()


def test_import_and_export_the_address_book(
    qtbot: Any, door_ui: DoorUi, service: DoorControl, tmp_path: Path
) -> None:
    source = tmp_path / "people.csv"
    source.write_text("number,name,always_admit\n+1 415 555 0199,Zed,yes\n")
    door_ui.ask_path = lambda saving: source
    door_ui.import_book()  # read off the loop: done when the log says so
    log = door_ui.window.log_model

    def said(text: str) -> bool:
        return any(text in log.entry(row).details for row in range(log.rowCount()))

    qtbot.waitUntil(lambda: said("Imported 1 callers"))
    assert service.door.book.always_admits(ZED)
    assert service.door.book.name_of(ALICE) == "Alice Smith"  # merged, not replaced
    bad = tmp_path / "bad.csv"
    bad.write_text("Zed,+14155550199\n")
    door_ui.ask_path = lambda saving: bad
    door_ui.import_book()
    qtbot.waitUntil(lambda: said("Nothing imported"))
    assert len(service.door.book) == 2
    out = tmp_path / "out.csv"
    door_ui.ask_path = lambda saving: out
    door_ui.export_book()
    qtbot.waitUntil(lambda: said("Exported 2 callers"))
    assert AddressBook.from_csv(out.read_text()) == service.door.book


def drop(column: RoomColumn, call_sid_: str) -> None:
    data = QMimeData()
    data.setData(CALL_SID_MIME, call_sid_.encode())
    event = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    column.dropEvent(event)
    assert event.dropAction() == Qt.DropAction.CopyAction  # the source keeps its item


def test_breakout_plan_by_button_and_by_drag_and_drop(
    qtbot: Any, door_ui: DoorUi, service: DoorControl
) -> None:
    door_ui.rooms_action.trigger()
    panel = door_ui.rooms
    assert panel.isVisible()
    panel.count.setValue(2)
    panel.evenly_button.click()
    # Mary runs the conference (the presenter) and stays in main; Alice and Charles spread
    assert panel.headcounts() == ["Main · 1", "Room 1 · 1", "Room 2 · 1"]
    assert panel.columns[0].call_sids() == [call_sid("Mary")]
    alice_room = service.plan.room_of(call_sid("Alice"))  # type: ignore[union-attr]
    other = 2 if alice_room == 1 else 1
    # drag Alice's item from her room onto the other room
    source = panel.columns[alice_room]
    mime = source.mimeData([source.item(0)])
    assert bytes(mime.data(CALL_SID_MIME).data()).decode() == call_sid("Alice")
    drop(panel.columns[other], call_sid("Alice"))
    qtbot.waitUntil(lambda: service.plan.room_of(call_sid("Alice")) == other, timeout=2000)  # type: ignore[union-attr]
    assert panel.headcounts()[other] == f"Room {other} · 2"
    drop(panel.columns[0], call_sid("Alice"))  # back to main
    qtbot.waitUntil(lambda: panel.headcounts()[0] == "Main · 2", timeout=2000)
    assert not panel.close_button.isEnabled() and panel.open_button.isEnabled()


def _mouse(
    kind: QEvent.Type, pos: QPoint, button: Qt.MouseButton, held: Qt.MouseButton
) -> QMouseEvent:
    point = QPointF(pos)
    return QMouseEvent(kind, point, point, button, held, Qt.KeyboardModifier.NoModifier)


def test_a_tile_dragged_from_the_grid_lands_in_a_room_and_mutes_no_one(
    qtbot: Any, door_ui: DoorUi, service: DoorControl
) -> None:
    window = door_ui.window
    grid = window.grid
    muted: list[str] = []
    grid.toggle_mute_requested.connect(muted.append)
    started: list[str] = []
    door_ui.tile_drag.start_drag = started.append
    charles = call_sid("Charles")
    centre = grid.visualRect(
        window.participants.index(window.participants.row_of(charles))
    ).center()
    viewport = grid.viewport()
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    # the rooms panel is hidden: a press, a move and a release are the grid's own (a click)
    QApplication.sendEvent(viewport, _mouse(QEvent.Type.MouseButtonPress, centre, left, left))
    QApplication.sendEvent(viewport, _mouse(QEvent.Type.MouseButtonRelease, centre, left, none))
    assert started == [] and muted == [charles]
    door_ui.rooms_action.trigger()
    door_ui.rooms.count.setValue(2)
    door_ui.rooms.evenly_button.click()
    far = centre + QPoint(40, 40)
    QApplication.sendEvent(viewport, _mouse(QEvent.Type.MouseButtonPress, centre, left, left))
    QApplication.sendEvent(viewport, _mouse(QEvent.Type.MouseMove, far, none, left))
    # a drag that ends back on the tile it started from
    QApplication.sendEvent(viewport, _mouse(QEvent.Type.MouseButtonRelease, centre, left, none))
    assert started == [charles]
    assert muted == [charles]  # the release that ended the drag toggled nothing
    # where it is dropped: room 2
    drop(door_ui.rooms.columns[2], charles)
    qtbot.waitUntil(lambda: service.plan.room_of(charles) == 2, timeout=2000)  # type: ignore[union-attr]


def test_the_tile_menu_moves_someone_to_a_room_without_drag_and_drop(
    qtbot: Any, door_ui: DoorUi, service: DoorControl
) -> None:
    window = door_ui.window
    charles = call_sid("Charles")
    menu = window.build_menu(charles)
    assert "Move to" not in [a.text() for a in menu.actions()]  # no rooms planned yet
    door_ui.rooms_action.trigger()
    door_ui.rooms.count.setValue(2)
    door_ui.rooms.evenly_button.click()
    menu = window.build_menu(charles)
    (move,) = [a.menu() for a in menu.actions() if a.text() == "Move to"]
    entries = {a.text(): a for a in move.actions()}  # type: ignore[union-attr]
    assert list(entries) == ["Main meeting", "Room 1", "Room 2"]
    target = 1 if service.plan.room_of(charles) == 2 else 2  # type: ignore[union-attr]
    entries[f"Room {target}"].trigger()
    qtbot.waitUntil(lambda: service.plan.room_of(charles) == target, timeout=2000)  # type: ignore[union-attr]
    assert menu.actions()[-1].text().startswith("Remove")  # Remove stays last


def test_the_announce_dialog_is_wide_enough_to_read(qtbot: Any, door_ui: DoorUi) -> None:
    from PySide6.QtWidgets import QLineEdit

    from moderator.ui.door.breakout_panel import DEFAULT_ANNOUNCEMENT, announcement_dialog

    dialog = announcement_dialog(door_ui.rooms)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    field = dialog.findChild(QLineEdit)
    assert field is not None and field.text() == DEFAULT_ANNOUNCEMENT
    assert field.width() > field.fontMetrics().horizontalAdvance(DEFAULT_ANNOUNCEMENT)
    dialog.reject()


def test_the_rooms_announce_offers_the_recent_texts_and_shares_its_own(
    qtbot: Any, door_ui: DoorUi
) -> None:
    """Breakout rooms → Announce… once offered only its one-minute warning: it offers the texts
    of Meeting → Announce… (newest first, the warning last), and what it says is offered there."""
    from PySide6.QtWidgets import QComboBox

    from moderator.ui.door.breakout_panel import DEFAULT_ANNOUNCEMENT, announcement_dialog

    window = door_ui.window
    window.controller.recent.remember("Back in five minutes")
    dialog = announcement_dialog(door_ui.rooms, door_ui.rooms.recent.items())
    qtbot.addWidget(dialog)
    combo = dialog.findChild(QComboBox)
    assert combo is not None
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert offered == ["Back in five minutes", DEFAULT_ANNOUNCEMENT]
    dialog.reject()
    door_ui.rooms.ask_announcement = lambda: "Rooms close in two minutes"
    door_ui.rooms.announce()
    # what Meeting → Announce… offers next
    assert window.controller.recent.items() == [
        "Rooms close in two minutes",
        "Back in five minutes",
    ]


@pytest.fixture
def hosted(
    qtbot: Any,
    themed: QApplication,
    qloop: qasync.QEventLoop,
    bridge: RosterBridge,
    roster: Roster,
    feed: Feed,
    service: DoorControl,
) -> tuple[DoorUi, FakeModerator]:
    """The door on a window with a (fake) Moderator: the host's own call, announcements."""
    feed(*team_meeting())  # Mary presents; Alice and Charles are in
    fake = FakeModerator(roster=roster)
    window = MainWindow(bridge, fake)
    qtbot.addWidget(window)
    return DoorUi(window, service, bridge), fake


def test_assigning_rooms_keeps_the_hosts_own_call_in_main(
    hosted: tuple[DoorUi, FakeModerator], service: DoorControl
) -> None:
    """In the demo, Assign evenly put Call me's call (the host, whispering to Alice) in a room:
    with 'Keep the presenter and you in main' the host's own call stays in main too."""
    door, fake = hosted
    fake.this_is_me(CONFERENCE_SID, call_sid("Charles"))
    door.rooms.count.setValue(2)
    door.rooms.evenly_button.click()
    plan = service.plan
    assert plan is not None
    assert plan.room_of(call_sid("Charles")) is None and plan.room_of(call_sid("Mary")) is None
    assert plan.room_of(call_sid("Alice")) is not None
    door.rooms.keep_presenter.setChecked(False)  # unchecked: everyone is spread
    door.rooms.evenly_button.click()
    assert service.plan is not None and service.plan.room_of(call_sid("Charles")) is not None


def test_announce_to_everyone_says_the_rooms_do_not_hear_it_while_open(
    hosted: tuple[DoorUi, FakeModerator], service: DoorControl
) -> None:
    """With breakout rooms open, Meeting → Announce… speaks in the main meeting only: its
    dialog said 'Say to everyone'. It says so; the rooms have their own Announce…."""
    window = hosted[0].window
    asked: list[str] = []
    window.controller.ask_announcement = lambda who, _recent: asked.append(who) and None
    window.controller.announce_all()
    service.rooms_open = True
    window.controller.announce_all()
    assert asked == ["everyone", "everyone in the main meeting (not the breakout rooms)"]
