"""What a host notices: the window's layout comes back, bulk mute icons differ, pending pulses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import qasync
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QToolButton

from moderator.ui.bridge import RosterBridge
from moderator.ui.main_window import MainWindow
from tests.forms import team_meeting

from .conftest import Feed


@pytest.fixture
def window(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, bridge: RosterBridge, feed: Feed
) -> Iterator[MainWindow]:
    feed(*team_meeting())
    made = MainWindow(bridge, None)
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    yield made


def _icon_image(window: MainWindow, attribute: str) -> QImage:
    action = getattr(window, attribute)
    return action.icon().pixmap(24, 24).toImage()


def test_mute_everyone_has_its_own_icon(qtbot: Any, window: MainWindow) -> None:
    everyone = _icon_image(window, "mute_everyone_action")
    but_presenter = _icon_image(window, "mute_all_action")
    assert not everyone.isNull() and not but_presenter.isNull()
    assert everyone != but_presenter
    # Narrow window: icons only, and the two buttons still look different.
    window.resize(520, 600)
    qtbot.waitUntil(lambda: window.toolbar.toolButtonStyle().name == "ToolButtonIconOnly")
    buttons = [
        window.toolbar.widgetForAction(a)
        for a in (window.mute_all_action, window.mute_everyone_action)
    ]
    assert all(isinstance(b, QToolButton) for b in buttons)
    assert buttons[0].grab().toImage() != buttons[1].grab().toImage()
