"""The window turns clicks, keys, menus and toolbar buttons into Moderator calls."""

from __future__ import annotations

from typing import Any

import pytest
import qasync
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from moderator.domain.roster import Roster
from moderator.settings import Settings
from moderator.ui.bridge import RosterBridge
from moderator.ui.grid.dial_out_dialog import DialOutDialog, DialOutRequest, normalise
from moderator.ui.grid.moderation import NO_CONTROL
from moderator.ui.shell.main_window import MainWindow
from tests.forms import CONFERENCE_SID, call_sid, form, team_meeting
from tests.helpers.fake_moderator import FakeModerator

from ..conftest import Feed


@pytest.fixture
def fake(roster: Roster) -> FakeModerator:
    return FakeModerator(roster=roster)  # the presenter goes through the service (journaled)


@pytest.fixture
def window(
    qtbot: Any,
    themed: QApplication,
    qloop: qasync.QEventLoop,
    bridge: RosterBridge,
    feed: Feed,
    fake: FakeModerator,
) -> MainWindow:
    feed(*team_meeting())  # Mary, Alice (muted), Charles present; Bob left
    made = MainWindow(bridge, fake)
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    made.activateWindow()
    made.grid.setFocus()
    return made


def wait_calls(qtbot: Any, fake: FakeModerator, count: int = 1) -> list[tuple[Any, ...]]:
    qtbot.waitUntil(lambda: len(fake.calls) >= count, timeout=2000)
    return fake.calls


def select(window: MainWindow, name: str) -> str:
    sid = call_sid(name)
    window.grid.setCurrentIndex(window.participants.index(window.participants.row_of(sid)))
    return sid


def test_picks_the_live_conference_and_shows_tiles(window: MainWindow) -> None:
    assert window.conference_sid == CONFERENCE_SID
    assert window.participants.rowCount() == 3
    assert window.title.text() == "TeamMeeting"
    assert "1 muted" in window.subtitle.text()


def test_the_header_says_what_the_host_has_in_flight(
    window: MainWindow, fake: FakeModerator
) -> None:
    """The moderator's in_flight (the conference's pending mark) follows the headline, and goes
    when the mark does (confirmed or rolled back): host_changed tells the window."""
    fake.flying[CONFERENCE_SID] = "ending…"
    fake.host_changed.emit(CONFERENCE_SID)
    assert window.subtitle.text().startswith("Live · 3 people  ·  ending…  ·  ")
    del fake.flying[CONFERENCE_SID]
    fake.host_changed.emit(CONFERENCE_SID)
    assert "ending…" not in window.subtitle.text()


def test_click_on_a_tile_toggles_mute(qtbot: Any, window: MainWindow, fake: FakeModerator) -> None:
    rect = window.grid.visualRect(window.participants.index(2))  # Charles
    qtbot.mouseClick(window.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert wait_calls(qtbot, fake) == [("toggle_mute", CONFERENCE_SID, call_sid("Charles"))]


def test_right_click_does_not_mute(qtbot: Any, window: MainWindow, fake: FakeModerator) -> None:
    rect = window.grid.visualRect(window.participants.index(1))
    qtbot.mouseClick(window.grid.viewport(), Qt.MouseButton.RightButton, pos=rect.center())
    qtbot.wait(50)
    assert fake.calls == []


@pytest.mark.parametrize(
    ("key", "expected"),
    [(Qt.Key.Key_Space, "toggle_mute"), (Qt.Key.Key_H, "toggle_hold")],
)
def test_space_and_h(
    qtbot: Any, window: MainWindow, fake: FakeModerator, key: Qt.Key, expected: str
) -> None:
    sid = select(window, "Alice")
    qtbot.keyClick(window.grid, key)
    assert wait_calls(qtbot, fake) == [(expected, CONFERENCE_SID, sid)]


def test_arrows_move_between_tiles(qtbot: Any, window: MainWindow) -> None:
    select(window, "Mary")
    qtbot.keyClick(window.grid, Qt.Key.Key_Right)
    assert window.current_tile_row() == 1
    qtbot.keyClick(window.grid, Qt.Key.Key_Left)
    assert window.current_tile_row() == 0


def test_delete_kicks_only_after_confirmation(
    qtbot: Any, window: MainWindow, fake: FakeModerator
) -> None:
    asked: list[str] = []
    answer = False

    def confirm(title: str, question: str, verb: str) -> bool:
        asked.append(question)
        return answer

    window.controller.confirm = confirm
    sid = select(window, "Charles")
    qtbot.keyClick(window.grid, Qt.Key.Key_Delete)
    qtbot.wait(50)
    assert fake.calls == [] and "Remove Charles" in asked[0]
    answer = True
    qtbot.keyClick(window.grid, Qt.Key.Key_Delete)
    assert wait_calls(qtbot, fake) == [("kick", CONFERENCE_SID, sid)]


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("Ctrl+M", ("mute_all", CONFERENCE_SID, ("except_presenter", True))),
        ("Ctrl+Shift+M", ("mute_all", CONFERENCE_SID, ("except_presenter", False))),
        ("Ctrl+U", ("unmute_all", CONFERENCE_SID)),
    ],
)
def test_bulk_shortcuts(
    qtbot: Any, window: MainWindow, fake: FakeModerator, keys: str, expected: tuple[Any, ...]
) -> None:
    modifiers = Qt.KeyboardModifier.ControlModifier
    if "Shift" in keys:
        modifiers |= Qt.KeyboardModifier.ShiftModifier
    key = Qt.Key.Key_M if keys.endswith("M") else Qt.Key.Key_U
    qtbot.keyClick(window.grid, key, modifiers)
    assert wait_calls(qtbot, fake) == [expected]


def test_end_conference_is_confirmed(qtbot: Any, window: MainWindow, fake: FakeModerator) -> None:
    window.controller.confirm = lambda title, question, verb: "TeamMeeting" in question
    window.end_action.trigger()
    assert wait_calls(qtbot, fake) == [("end_conference", CONFERENCE_SID)]


def test_dial_out(qtbot: Any, window: MainWindow, fake: FakeModerator) -> None:
    fake.settings = Settings(caller_id="+15005550006")
    window.dial_out_action.trigger()
    dialog = window.controller.dial_out_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.number.setText("+1 415 555 0100")
    dialog.label.setText("Dora")
    dialog.call_button.click()
    assert wait_calls(qtbot, fake) == [("dial_out", CONFERENCE_SID, "+14155550100", "Dora")]
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)  # placed: it closes


def test_dial_out_dialog_validates(qtbot: Any, themed: QApplication) -> None:
    dialog = DialOutDialog("+15005550006")
    qtbot.addWidget(dialog)
    ok = dialog.call_button
    assert not ok.isEnabled()
    dialog.number.setText("+1 (415) 555-0100")
    dialog.label.setText(" Dora ")
    assert ok.isEnabled()
    assert dialog.request() == DialOutRequest("+14155550100", "Dora")
    dialog.number.setText("555")
    assert not ok.isEnabled() and dialog.problem.text()
    assert normalise("+44 20 7946.0000") == "+442079460000"


def test_dial_out_without_caller_id_stays_open_with_the_error(
    qtbot: Any, themed: QApplication
) -> None:
    dialog = DialOutDialog("")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.number.setText("+14155550100")
    dialog.label.setText("Dora")
    assert "caller ID" in dialog.problem.text()
    assert not dialog.call_button.isEnabled()
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)  # Enter does not get past it either
    assert dialog.isVisible() and dialog.result() == 0
    assert (dialog.number.text(), dialog.label.text()) == ("+14155550100", "Dora")  # kept


def test_dial_out_dialog_asks_the_moderator_for_its_caller_id(
    qtbot: Any, window: MainWindow
) -> None:
    window.controller.moderator.settings = Settings(caller_id="+15005550006")  # type: ignore[union-attr]
    window.dial_out_action.trigger()
    dialog = window.controller.dial_out_dialog
    assert dialog is not None and dialog.caller.text() == "Calls from +15005550006"


def test_context_menu(qtbot: Any, window: MainWindow, fake: FakeModerator, roster: Roster) -> None:
    sid = call_sid("Alice")  # muted
    menu = window.build_menu(sid)
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts == [
        "Alice",
        "Unmute",
        "Hold",
        "Make presenter",
        "This is me",
        "Announce to Alice…",
        "Copy call SID",
        "Remove from call…",
    ]
    actions = {a.text(): a for a in menu.actions()}
    actions["Unmute"].trigger()
    actions["Hold"].trigger()
    assert wait_calls(qtbot, fake, 2) == [
        ("unmute", CONFERENCE_SID, sid),
        ("hold", CONFERENCE_SID, sid),
    ]
    actions["Make presenter"].trigger()
    assert roster.presenter(CONFERENCE_SID) == sid
    assert "Stop being presenter" in [a.text() for a in window.build_menu(sid).actions()]
    actions["Copy call SID"].trigger()
    assert QGuiApplication.clipboard().text() == sid
    roster.set_number(CONFERENCE_SID, sid, "+14155550111")
    number_menu = {a.text(): a for a in window.build_menu(sid).actions()}
    number_menu["Copy number"].trigger()
    assert QGuiApplication.clipboard().text() == "+14155550111"


def test_context_menu_shows_the_tiles_keys(window: MainWindow) -> None:
    keys = {
        a.text(): a.shortcut().toString()
        for a in window.build_menu(call_sid("Alice")).actions()
        if a.text()
    }
    assert (keys["Unmute"], keys["Hold"], keys["Remove from call…"]) == ("Space", "H", "Del")
    assert all(
        a.isShortcutVisibleInContextMenu()
        for a in window.build_menu(call_sid("Alice")).actions()
        if a.shortcut().toString()
    )


def test_right_click_opens_the_menu(qtbot: Any, window: MainWindow) -> None:
    seen: list[str] = []
    window.grid.menu_requested.connect(lambda sid, pos: seen.append(sid))
    rect = window.grid.visualRect(window.participants.index(0))
    window.grid.customContextMenuRequested.emit(rect.center())
    assert seen == [call_sid("Mary")]
    window.grid.customContextMenuRequested.emit(QPoint(-50, -50))  # not on a tile
    assert seen == [call_sid("Mary")]


def test_without_a_moderator_actions_explain(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, bridge: RosterBridge, feed: Feed
) -> None:
    feed(*team_meeting())
    window = MainWindow(bridge, None)
    qtbot.addWidget(window)
    window.grid.toggle_mute_requested.emit(call_sid("Mary"))
    qtbot.waitUntil(lambda: NO_CONTROL in window.status.error.text(), timeout=2000)
    assert window.status.twilio.text() == "Twilio: no credentials"


def test_error_message_reaches_status_bar_and_log(window: MainWindow, bridge: RosterBridge) -> None:
    bridge.message.emit("error", "Could not mute Bob: not found")
    assert "Could not mute Bob" in window.status.error.text()
    last = window.log_model.entry(window.log_model.rowCount() - 1)
    assert (last.level, last.details) == ("error", "Could not mute Bob: not found")
    bridge.message.emit("info", "Muted 3 of 3")
    assert window.status.currentMessage() == "Muted 3 of 3"
    assert "Could not mute Bob" in window.status.error.text()  # the last error stays


def test_callbacks_land_in_the_log_and_status(qtbot: Any, window: MainWindow, feed: Feed) -> None:
    assert window.log_model.rowCount() == 0  # fed before the window existed
    feed(form("participant-speech-start", 8, who="Mary"))
    qtbot.waitUntil(lambda: window.log_model.rowCount() == 1)  # the log's next batch
    entry = window.log_model.entry(0)
    assert (entry.event, entry.who) == ("Started speaking", "Mary")
    assert window.status.webhook.text().startswith("Last callback")
    assert "speaking: Mary" in window.subtitle.text()
    assert window.status.twilio.text() == "Twilio: connected"


def test_close_asks_the_app(qtbot: Any, window: MainWindow) -> None:
    with qtbot.waitSignal(window.close_requested, timeout=1000):
        window.close()
    assert window.isVisible()  # the app hides it once shutdown is done


def test_a_long_error_does_not_widen_the_window(qtbot: Any, window: MainWindow) -> None:
    window.resize(900, 600)
    before = window.minimumSizeHint().width()
    text = "Could not mute Guest 123: Twilio says too many requests, gave up after retrying " * 4
    window.show_message("error", text)
    qtbot.wait(20)
    assert window.minimumSizeHint().width() == before
    window.resize(900, 600)
    assert window.width() == 900
    assert window.status.error.text() == f"⚠ {text}"  # the whole message is kept
    assert text in window.status.error.toolTip()
    shown = super(type(window.status.error), window.status.error).text()
    assert shown.endswith("…") and len(shown) < len(text)


def test_presenter_menu_never_offers_a_no_op(window: MainWindow, roster: Roster) -> None:
    mary, alice = call_sid("Mary"), call_sid("Alice")
    assert roster.presenter(CONFERENCE_SID) == mary  # automatic: she runs the conference

    def item(sid: str, prefix: str) -> Any:
        return next(a for a in window.build_menu(sid).actions() if a.text().startswith(prefix))

    automatic = item(mary, "Presenter")
    assert not automatic.isEnabled()  # "Stop being presenter" here would change nothing
    item(alice, "Make presenter").trigger()
    assert roster.presenter(CONFERENCE_SID) == alice
    assert item(mary, "Make presenter").isEnabled()
    stop = item(alice, "Stop being presenter")
    stop.trigger()
    assert roster.presenter(CONFERENCE_SID) == mary  # back to the automatic choice


@pytest.mark.parametrize("width", [1280, 900, 760])
def test_every_toolbar_button_stays_visible_when_narrow(
    qtbot: Any, window: MainWindow, width: int
) -> None:
    window.resize(width, 600)
    qtbot.wait(20)
    for action in window.toolbar.actions():
        button = window.toolbar.widgetForAction(action)
        if button is not None and action.text():
            assert button.isVisible(), f"{action.text()} is in the overflow menu at {width} px"
    wide = window.toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    assert wide == (width == 1280)


def test_when_the_chosen_person_leaves_no_one_else_is_chosen(
    qtbot: Any, window: MainWindow, fake: FakeModerator, feed: Feed
) -> None:
    """Alice is chosen and hangs up: H and Delete must not act on Charles, who took her place."""
    select(window, "Alice")
    feed(form("participant-leave", 8, who="Alice", ReasonParticipantLeft="participant_hung_up"))
    assert window.participants.row_of(call_sid("Alice")) < 0
    assert window.grid.current_call_sid() is None
    for key in (Qt.Key.Key_H, Qt.Key.Key_Space, Qt.Key.Key_Delete):
        qtbot.keyClick(window.grid, key)
    qtbot.wait(50)
    assert fake.calls == []
    select(window, "Charles")  # the host chooses again: keys act on that choice
    qtbot.keyClick(window.grid, Qt.Key.Key_H)
    assert wait_calls(qtbot, fake)[0][:3] == ("toggle_hold", CONFERENCE_SID, call_sid("Charles"))


def test_f5_reconciles_every_live_conference(
    qtbot: Any, window: MainWindow, fake: FakeModerator
) -> None:
    reconciled: list[str | None] = []

    async def reconcile(conf_sid: str | None = None) -> None:
        reconciled.append(conf_sid)

    fake.reconcile = reconcile  # type: ignore[method-assign]
    qtbot.keyClick(window.grid, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: reconciled == [None], timeout=2000)  # None: all, not the shown one
