"""Menu bar, Quit and About; what an ended conference says; long messages read in full."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import qasync
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox

from moderator import __version__
from moderator.app import Console, ConsoleOptions
from moderator.ui.dialogs import DetailsDialog
from moderator.ui.shell.main_window import MainWindow
from moderator.ui.shell.window_actions import quit_shortcut
from tests.forms import form

from ..conftest import Feed

LONG = (
    "Could not mute Guest 123: Twilio says too many requests (20429), gave up after retrying "
    "three times; the participant stays unmuted until you try again. " * 3
).strip()


def menu_titles(window: MainWindow) -> dict[str, list[str]]:
    return {
        menu.title().replace("&", ""): [
            a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()
        ]
        for menu in (a.menu() for a in window.menuBar().actions())
        if menu is not None
    }


def test_menu_bar_holds_every_action(window: MainWindow) -> None:
    menus = menu_titles(window)
    assert list(menus) == ["File", "Meeting", "Help"]
    assert menus["File"] == ["Settings…", "Quit"]
    assert "End conference…" in menus["Meeting"] and "Add participant…" in menus["Meeting"]
    assert menus["Help"] == ["Keyboard shortcuts", "About"]
    assert {"Summary…", "Save HTML report…", "Timeline"} <= set(menus["Meeting"])
    toolbar = {a.iconText() for a in window.toolbar.actions() if a.iconText()}
    in_menus = {text.removesuffix("…") for texts in menus.values() for text in texts}
    assert toolbar <= in_menus  # every toolbar button is also reachable from the keyboard


def test_quit_shortcut_goes_through_the_one_shutdown_funnel(qtbot: Any, window: MainWindow) -> None:
    assert window.quit_action.shortcut() == quit_shortcut()
    assert not quit_shortcut().isEmpty()
    window.activateWindow()
    window.grid.setFocus()
    with qtbot.waitSignal(window.close_requested, timeout=2000):
        qtbot.keySequence(window.grid, quit_shortcut())


def test_quit_from_the_menu_stops_the_console(
    qtbot: Any, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    console = Console(ConsoleOptions(port=0, data_dir=tmp_path))
    task = qloop.create_task(console.run())
    qtbot.waitUntil(
        lambda: console.window is not None and console.window.isVisible(), timeout=10000
    )
    assert console.window is not None
    console.window.quit_action.trigger()
    qtbot.waitUntil(task.done, timeout=10000)
    task.result()
    assert console.journal is None  # stopped in order, like a window close


def test_about_names_the_version(qtbot: Any, window: MainWindow) -> None:
    window.about_action.trigger()
    box = window.findChild(QMessageBox)
    assert box is not None and box.isVisible()
    assert __version__ in box.text()
    box.close()


def test_an_ended_conference_says_so(window: MainWindow, feed: Feed) -> None:
    assert "No one is here yet" in window.grid.empty_text  # not shown: there are tiles
    feed(
        form("participant-leave", 8, who="Alice"),
        form("participant-leave", 9, who="Charles"),
        form("participant-leave", 10, who="Mary"),
        form("conference-end", 11, ReasonConferenceEnded="last-participant-left"),
    )
    assert window.participants.rowCount() == 0
    assert "No one is here yet" not in window.grid.empty_text
    assert "ended" in window.grid.empty_text
    assert "4 people took part" in window.grid.empty_text  # Mary, Alice, Bob, Charles
    assert "after 0:08" in window.grid.empty_text  # one way to write a length (issue 18)
    assert window.subtitle.text().startswith("Ended at")


def _reddish(image: QImage) -> int:
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            colour = QColor(image.pixel(x, y))
            if colour.red() > 150 and colour.green() < 140 and colour.red() - colour.blue() > 60:
                count += 1
    return count


def test_a_disabled_end_conference_is_not_red(qtbot: Any, window: MainWindow, feed: Feed) -> None:
    button = window.toolbar.widgetForAction(window.end_action)
    assert button.isEnabled()
    assert _reddish(button.grab().toImage()) > 20  # live: red, it ends the call for everyone
    feed(form("conference-end", 11, ReasonConferenceEnded="last-participant-left"))
    assert not window.end_action.isEnabled()
    qtbot.wait(10)
    assert _reddish(button.grab().toImage()) == 0


def test_an_old_error_does_not_come_back_after_the_conference_ends(
    qtbot: Any, window: MainWindow, feed: Feed
) -> None:
    window.show_message("error", "Could not mute Alice: Twilio is unreachable")
    assert "Could not mute Alice" in window.status.error.text()
    feed(form("conference-end", 11, ReasonConferenceEnded="last-participant-left"))
    window.show_message("info", "Conference ended")
    window.status.clearMessage()  # what the 15 s timeout of the info message does
    assert window.status.error.text() == ""
    window.show_message("error", "A new problem")  # later errors still show
    assert "A new problem" in window.status.error.text()


def test_status_bar_message_opens_in_full(qtbot: Any, window: MainWindow) -> None:
    window.resize(900, 600)
    window.show_message("error", LONG)
    assert LONG in window.status.error.toolTip().replace("&#x27;", "'")
    qtbot.mouseClick(window.status.error, Qt.MouseButton.LeftButton)
    dialog = window.findChild(DetailsDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.text.toPlainText() == LONG
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == LONG
    dialog.close()
    window.show_message("info", LONG)
    assert "Twilio says too many" in window.status.toolTip()
    qtbot.mouseClick(window.status, Qt.MouseButton.LeftButton, pos=QPoint(20, 8))
    shown = [d for d in window.findChildren(DetailsDialog) if d.isVisible()]
    assert [d.text.toPlainText() for d in shown] == [LONG]


def test_event_log_line_opens_in_full(qtbot: Any, window: MainWindow) -> None:
    window.show_message("error", LONG)
    table = window.log_pane.table
    index = table.model().index(table.model().rowCount() - 1, 4)
    tip = table.model().data(index, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("<p>")  # rich text: Qt wraps it instead of running off the screen
    table.setCurrentIndex(index)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    dialog = window.findChild(DetailsDialog)
    assert dialog is not None
    assert LONG in dialog.text.toPlainText()
    assert "Event: Error" in dialog.text.toPlainText()


def test_quit_shortcut_is_the_platforms(qapp: QApplication) -> None:
    bindings = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
    assert quit_shortcut() == (bindings[0] if bindings else QKeySequence("Ctrl+Q"))
