"""The tile delegate paints every state without error, and its small helpers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem

from moderator.domain.actions import ActionKind
from moderator.domain.roster import Roster
from moderator.ui.bridge import RosterBridge
from moderator.ui.grid.participant_grid import ParticipantGrid
from moderator.ui.grid.participant_model import ParticipantModel
from moderator.ui.grid.tile_delegate import TILE_SIZE, TileDelegate, elapsed, initials
from tests.forms import CONFERENCE_SID, START, call_sid, form

from ..conftest import Feed


def test_initials_and_elapsed() -> None:
    assert initials("Alice Smith") == "AS"
    assert initials("bob") == "BO"
    assert initials("Guest 001") == "G1"
    assert initials("Guest 214") == "G14"
    assert initials("+14155550123") == "23"
    assert elapsed(None, START) == ""
    assert elapsed(START, START + timedelta(minutes=4, seconds=5)) == "4:05"
    assert elapsed(START, START + timedelta(hours=1, seconds=9)) == "1:00:09"
    assert elapsed(START + timedelta(seconds=5), START) == "0:00"


def paint_tile(delegate: TileDelegate, model: ParticipantModel, row: int, image: QImage) -> QColor:
    """Paint `row`'s tile on a cleared `image`; the colour at its centre."""
    image.fill(QColor(0, 0, 0, 0))
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, TILE_SIZE.width(), TILE_SIZE.height())
    painter = QPainter(image)
    delegate.paint(painter, option, model.index(row))
    painter.end()
    return image.pixelColor(TILE_SIZE.width() // 2, TILE_SIZE.height() // 2)


def test_paints_every_state(
    themed: QApplication, roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    feed(
        form("participant-join", 1, who="Plain"),
        form("participant-join", 2, who="Muted Person", muted=True),
        form("participant-join", 3, who="Held", hold=True),
        form("participant-join", 4, who="Talker"),
        form("participant-speech-start", 5, who="Talker"),
        form("participant-join", 6, who="Coach", Coaching="true"),
        form("participant-join", 7, who="Waiting"),
    )
    roster.mark_pending(CONFERENCE_SID, call_sid("Waiting"), ActionKind.MUTE, START)
    roster.choose_presenter(CONFERENCE_SID, call_sid("Plain"))
    roster.set_number(CONFERENCE_SID, call_sid("Plain"), "+14155550100")
    model = ParticipantModel(roster)
    model.set_conference(CONFERENCE_SID)
    delegate = TileDelegate(clock=lambda: START + timedelta(minutes=3))
    image = QImage(TILE_SIZE, QImage.Format.Format_ARGB32_Premultiplied)
    for row in range(model.rowCount()):
        centre = paint_tile(delegate, model, row, image)
        assert centre.alpha() > 0, f"row {row} painted nothing"
        assert delegate.sizeHint(QStyleOptionViewItem(), model.index(row)) == TILE_SIZE


def test_keyboard_focus_is_visible_on_a_tile(
    themed: QApplication, roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    feed(form("participant-join", 1, who="Alice"))
    model = ParticipantModel(roster)
    model.set_conference(CONFERENCE_SID)
    delegate = TileDelegate(clock=lambda: START)

    def paint(state: QStyle.StateFlag) -> QImage:
        image = QImage(TILE_SIZE, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QColor(0, 0, 0, 0))
        option = QStyleOptionViewItem()
        option.rect = QRect(0, 0, TILE_SIZE.width(), TILE_SIZE.height())
        option.state = state
        painter = QPainter(image)
        delegate.paint(painter, option, model.index(0))
        painter.end()
        return image

    enabled = QStyle.StateFlag.State_Enabled
    selected = paint(enabled | QStyle.StateFlag.State_Selected)
    focused = paint(enabled | QStyle.StateFlag.State_Selected | QStyle.StateFlag.State_HasFocus)
    edge = (1, TILE_SIZE.height() // 2)  # in the margin outside the card
    assert selected.pixelColor(*edge).alpha() == 0
    assert focused.pixelColor(*edge).alpha() > 100
    assert focused.pixelColor(*edge).lightness() > 150


def test_a_tile_is_rendered_again_only_when_what_it_shows_changes(
    themed: QApplication, roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    feed(form("participant-join", 1, who="Alice"), form("participant-join", 2, who="Bob"))
    model = ParticipantModel(roster)
    model.set_conference(CONFERENCE_SID)
    bridge.changed.connect(model.on_changes)
    now = [START + timedelta(minutes=3)]
    delegate = TileDelegate(clock=lambda: now[0])
    image = QImage(TILE_SIZE, QImage.Format.Format_ARGB32_Premultiplied)

    def paint(row: int) -> QColor:
        return paint_tile(delegate, model, row, image)

    card = paint(0)
    assert card.alpha() > 0 and delegate.renders == 1
    assert paint(0) == card and delegate.renders == 1  # unchanged: copied from the cache
    paint(1)
    assert delegate.renders == 2  # another participant, another tile
    feed(form("participant-mute", 3, who="Alice", muted=True))
    assert paint(0) != card and delegate.renders == 3  # the participant changed: drawn afresh
    before = image.copy()
    now[0] += timedelta(seconds=1)
    paint(0)
    assert image != before  # the time in call moved on, drawn over the cached tile ...
    assert delegate.renders == 3  # ... which is not rendered again for it


def test_a_repaint_of_two_tiles_far_apart_draws_those_two(
    qtbot: Any, themed: QApplication, roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    """Qt asks for every tile inside the bounding rect of what changed; two pending tiles in
    opposite corners (their hourglass turns every 60 ms) drew the whole grid each time."""
    feed(*[form("participant-join", n + 1, who=f"Guest {n:02}") for n in range(12)])
    model = ParticipantModel(roster)
    model.set_conference(CONFERENCE_SID)
    grid = ParticipantGrid()
    grid.setModel(model)
    grid.clock_timer.stop()
    qtbot.addWidget(grid)
    grid.resize(1040, 420)
    grid.show()
    qtbot.waitExposed(grid)
    qtbot.wait(50)
    first, last = grid.visualRect(model.index(0)), grid.visualRect(model.index(11))
    assert grid.viewport().rect().contains(last)  # all twelve on screen
    drawn = grid.delegate.drawn
    grid.viewport().update(first)
    grid.viewport().update(last)
    qtbot.waitUntil(lambda: grid.delegate.drawn > drawn)
    qtbot.wait(20)
    assert grid.delegate.drawn - drawn == 2
