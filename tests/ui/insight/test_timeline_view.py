"""The timeline window renders offscreen to PNG and SVG, zooms, and follows a live conference."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from moderator.domain.roster import Roster
from moderator.domain.timeline import Marker
from moderator.ui.insight.timeline_paint import Layout
from moderator.ui.insight.timeline_view import TimelineWindow
from moderator.ui.look import theme
from tests.forms import CONFERENCE_SID, START, call_sid, form, team_meeting

from ..conftest import Feed

SPOKEN = [
    *team_meeting(),
    form("participant-speech-start", 8, who="Mary"),
    form("participant-speech-stop", 40, who="Mary"),
    form("participant-hold", 50, who="Charles", hold=True),
    form("conference-end", 90),
]


def window(qtbot: Any, roster: Roster, **kwargs: Any) -> TimelineWindow:
    made = TimelineWindow(
        roster, CONFERENCE_SID, clock=lambda: START + timedelta(seconds=95), **kwargs
    )
    qtbot.addWidget(made)
    return made


def exported(qtbot: Any, roster: Roster, feed: Feed, tmp_path: Path) -> tuple[QImage, Layout]:
    """The spoken meeting's timeline saved as a PNG, read back, and the layout it was drawn by."""
    feed(*SPOKEN)
    view = window(qtbot, roster)
    out = tmp_path / "timeline.png"
    assert view.export(out)
    image = QImage(str(out))
    assert not image.isNull() and image.width() >= 1000
    layout = view.current_layout(fit_width=1200)
    assert layout is not None
    return image, layout


def test_png_shows_the_speaking_span(
    qtbot: Any, themed: QApplication, roster: Roster, feed: Feed, tmp_path: Path
) -> None:
    image, layout = exported(qtbot, roster, feed, tmp_path)
    # Mary's row (row 0), halfway through her speech: the speaking colour is painted there.
    x = int(layout.x(START + timedelta(seconds=24)))
    y = int(layout.row_top(0) + 15)
    assert image.pixelColor(x, y).name() == "#34d399"
    # After she stopped it is not.
    x_after = int(layout.x(START + timedelta(seconds=60)))
    assert image.pixelColor(x_after, y).name() != "#34d399"


def test_the_conference_row_shows_the_conference_from_start_to_end(
    qtbot: Any, themed: QApplication, roster: Roster, feed: Feed, tmp_path: Path
) -> None:
    """The 'Conference' row was empty: it holds the conference's own span, started to ended."""
    image, layout = exported(qtbot, roster, feed, tmp_path)
    own = layout.timeline.own_span
    assert own is not None and own.end is not None
    y = int(layout.row_top(-1) + 15)
    middle = own.start + (own.end - own.start) / 2
    assert image.pixelColor(int(layout.x(middle)), y).name() == theme.TEXT_DIM.name()
    after = int(layout.x(own.end)) + 3  # the window runs on to `now`, 5 s after the end
    assert image.pixelColor(after, y).name() != theme.TEXT_DIM.name()


def test_svg_is_well_formed_and_names_everyone(
    qtbot: Any, themed: QApplication, roster: Roster, feed: Feed, tmp_path: Path
) -> None:
    feed(*SPOKEN)
    markers = [Marker(START + timedelta(seconds=10), "mute", "auto-mute", call_sid("Alice"), True)]
    view = window(qtbot, roster, markers=lambda sid: markers)
    out = tmp_path / "timeline.svg"
    assert view.export(out)
    root = ElementTree.parse(out).getroot()
    assert root.tag.endswith("svg")
    text = out.read_text(encoding="utf-8")
    for name in ("Mary", "Alice", "Bob", "Charles"):
        assert name in text


def test_zoom_widens_the_canvas_and_fit_returns(
    qtbot: Any, themed: QApplication, roster: Roster, feed: Feed
) -> None:
    feed(*SPOKEN)
    view = window(qtbot, roster)
    view.show()
    qtbot.waitExposed(view)
    fitted = view.canvas.width()
    view.zoom(4)
    assert view.canvas.width() > fitted * 2
    view.fit()
    assert view.canvas.width() == fitted


def test_live_conference_refreshes_while_shown(
    qtbot: Any, themed: QApplication, roster: Roster, feed: Feed
) -> None:
    feed(*team_meeting())
    view = window(qtbot, roster)
    view.show()
    qtbot.waitExposed(view)
    assert view.refresh_timer.isActive()
    feed(form("conference-end", 90))
    qtbot.waitUntil(lambda: not view.refresh_timer.isActive(), timeout=5000)
    view.hide()
    assert not view.refresh_timer.isActive()
