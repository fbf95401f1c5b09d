"""Talk time live in the window: tiles, sorting, the header, and the end-of-meeting summary."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from moderator.domain.roster import Roster
from moderator.domain.snapshots import ConferenceSnapshot
from moderator.ui.bridge import RosterBridge
from moderator.ui.grid.participant_model import ParticipantModel, TalkTime
from moderator.ui.grid.roles import Role
from moderator.ui.grid.tile_delegate import PAD, TILE_SIZE, TileDelegate
from moderator.ui.insight.summary_dialog import SummaryDialog
from moderator.ui.shell.main_window import MainWindow
from tests.forms import CONFERENCE_SID, START, call_sid, form, team_meeting

from ..conftest import Feed


class Clock:
    def __init__(self, seconds: float) -> None:
        self.now = START + timedelta(seconds=seconds)

    def __call__(self) -> datetime:
        return self.now


TALKED = [
    *team_meeting(),  # Mary, Alice (muted), Charles present; Bob left
    form("participant-speech-start", 8, who="Charles"),
    form("participant-speech-stop", 11, who="Charles"),
    form("participant-speech-start", 12, who="Mary"),
]


def names(model: ParticipantModel) -> list[str]:
    return [model.index(row).data() for row in range(model.rowCount())]


def test_tiles_carry_talk_time_and_share(themed: QApplication, roster: Roster, feed: Feed) -> None:
    feed(*TALKED)
    clock = Clock(21)  # Mary has talked 9 s (still talking), Charles 3 s
    model = ParticipantModel(roster, clock=clock)
    model.set_conference(CONFERENCE_SID)
    row = model.row_of(call_sid("Mary"))
    assert model.index(row).data(Role.TALK) == TalkTime(9.0, 0.75)
    assert "talked 0:09 (75% of all talk)" in model.index(row).data(Qt.ItemDataRole.ToolTipRole)
    clock.now += timedelta(seconds=6)  # no callback: the open span grows with the clock
    assert model.index(row).data(Role.TALK).seconds == 15.0


def test_sort_by_talk_time_and_back(
    qtmodeltester: Any, roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    feed(*TALKED)
    model = ParticipantModel(roster, clock=Clock(21))
    model.set_conference(CONFERENCE_SID)
    bridge.changed.connect(model.on_changes)
    qtmodeltester.check(model)
    assert names(model) == ["Mary", "Alice", "Charles"]
    model.sort_by_talk(True)
    assert names(model) == ["Mary", "Charles", "Alice"]
    feed(form("participant-join", 13, who="Dave"))  # a newcomer lands by talk time: last
    assert names(model) == ["Mary", "Charles", "Alice", "Dave"]
    qtmodeltester.check(model)
    model.sort_by_talk(False)
    assert names(model) == ["Mary", "Alice", "Charles", "Dave"]


def test_tile_paints_the_talk_bar(themed: QApplication, roster: Roster, feed: Feed) -> None:
    feed(*TALKED)
    model = ParticipantModel(roster, clock=Clock(21))
    model.set_conference(CONFERENCE_SID)
    delegate = TileDelegate(clock=Clock(21))

    def bar_pixel(who: str) -> QColor:
        image = QImage(TILE_SIZE, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QColor(0, 0, 0, 0))
        option = QStyleOptionViewItem()
        option.rect = QRect(0, 0, TILE_SIZE.width(), TILE_SIZE.height())
        painter = QPainter(image)
        delegate.paint(painter, option, model.index(model.row_of(call_sid(who))))
        painter.end()
        bar_y = 2 + PAD + 44 + 1 + 7  # the talk row under the avatar
        return image.pixelColor(2 + PAD + 4, bar_y)

    assert bar_pixel("Mary").green() > 150  # talked: the bar starts filled
    assert bar_pixel("Alice").green() < 100  # never talked: only the empty track


@pytest.fixture
def window(qtbot: Any, themed: QApplication, bridge: RosterBridge, feed: Feed) -> MainWindow:
    feed(*TALKED)
    made = MainWindow(bridge, clock=Clock(21))
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    return made


def test_header_says_who_speaks_and_for_how_long(window: MainWindow) -> None:
    window.tick()
    assert "speaking: Mary 0:09" in window.subtitle.text()


def test_sort_toggle_in_the_header(window: MainWindow) -> None:
    assert window.insights.sort_button is not None
    window.insights.sort_button.click()
    assert window.participants.sorted_by_talk
    assert names(window.participants)[:2] == ["Mary", "Charles"]


def test_the_ended_banner_reads_its_timeline_once_not_at_every_batch(
    window: MainWindow, feed: Feed, roster: Roster, monkeypatch: Any
) -> None:
    feed(form("conference-end", 30))
    copies: list[str] = []
    conference = roster.timelines.conference
    monkeypatch.setattr(
        roster.timelines, "conference", lambda sid: copies.append(sid) or conference(sid)
    )
    other = "CF" + "7" * 32
    for n in range(5):  # another meeting goes on: a batch per display frame
        feed(form("participant-join", n + 1, who=f"G{n}", conference_sid=other, friendly_name="B"))
    assert copies == []
    assert "TeamMeeting ended after 0:27 with 4 participants" in window.insights.banner.text.text()
    feed(form("participant-join", 31, who="Late"))  # about the ended call itself
    assert copies == [CONFERENCE_SID]
    assert "with 5 participants" in window.insights.banner.text.text()


def test_ended_conference_offers_its_summary(
    qtbot: Any, window: MainWindow, feed: Feed, tmp_path: Path
) -> None:
    window.insights.html = lambda sid: f"<!DOCTYPE html><p>{sid}</p>"
    assert not window.insights.banner.isVisible()
    feed(form("conference-end", 30))
    assert window.insights.banner.isVisible()
    assert "TeamMeeting ended after 0:27 with 4 participants" in window.insights.banner.text.text()
    window.insights.banner.summary_button.click()
    assert not window.insights.banner.isVisible()
    (dialog,) = [w for w in window.insights.windows.values() if isinstance(w, SummaryDialog)]
    assert dialog.isVisible() and not dialog.isModal()
    assert dialog.table.rowCount() == 4
    assert "at most 4 at once" in dialog.facts.text()
    assert dialog.save_html(tmp_path / "r.html")
    assert CONFERENCE_SID in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert not dialog.save_html(tmp_path / "missing" / "r.html")
    assert dialog.note.text().startswith("Could not save the report")


def test_no_offer_for_a_conference_that_ended_before_the_window(
    qtbot: Any, themed: QApplication, bridge: RosterBridge, feed: Feed
) -> None:
    feed(*TALKED, form("conference-end", 30))
    made = MainWindow(bridge, clock=Clock(40))
    qtbot.addWidget(made)
    feed(form("participant-leave", 31, who="Mary"))  # a late callback, same conference
    assert not made.insights.banner.isVisible()


def test_no_offer_for_a_replayed_conference_a_reconcile_closes(
    qtbot: Any, themed: QApplication, bridge: RosterBridge, roster: Roster, feed: Feed
) -> None:
    feed(*TALKED)  # the journal's call, live as replayed when the window opens
    made = MainWindow(bridge, clock=Clock(40))
    qtbot.addWidget(made)
    # the start-up reconcile finds it long over: no callback, the host never watched it
    roster.apply_snapshot(
        ConferenceSnapshot(CONFERENCE_SID, START + timedelta(hours=1), 99, status="completed")
    )
    bridge.flush()
    assert roster.conference(CONFERENCE_SID).status.live is False  # type: ignore[union-attr]
    assert made.insights.banner.conference_sid is None


def test_the_offer_names_which_call_when_a_same_named_one_is_live(
    qtbot: Any, window: MainWindow, feed: Feed
) -> None:
    feed(form("conference-end", 30))
    assert window.insights.banner.conference_sid == CONFERENCE_SID
    assert "started" not in window.insights.banner.text.text()
    feed(form("conference-start", 60, conference_sid="CF" + "9" * 32))  # TeamMeeting again
    started = (START + timedelta(seconds=3)).astimezone().strftime("%H:%M")
    assert f"TeamMeeting (started {started}) ended after" in window.insights.banner.text.text()


def test_timeline_opens_for_the_shown_conference_and_closes_with_the_window(
    qtbot: Any, window: MainWindow
) -> None:
    window.insights.timeline_action.trigger()
    view = window.insights.windows[("timeline", CONFERENCE_SID)]
    assert view.isVisible()
    window.insights.timeline_action.trigger()  # again: the same window, raised
    assert list(window.insights.windows) == [("timeline", CONFERENCE_SID)]
    window.hide()
    qtbot.waitUntil(lambda: not window.insights.windows, timeout=5000)


def test_a_repaint_sums_everyone_s_talk_once_not_per_tile(
    themed: QApplication, roster: Roster, bridge: RosterBridge, feed: Feed, monkeypatch: Any
) -> None:
    feed(*TALKED)
    clock = Clock(21)
    model = ParticipantModel(roster, clock=clock)
    model.set_conference(CONFERENCE_SID)
    bridge.changed.connect(model.on_changes)
    sums: list[float] = []
    talk_total = roster.timelines.talk_total

    def counted(sid: str, until: datetime) -> float:
        sums.append(talk_total(sid, until))
        return sums[-1]

    monkeypatch.setattr(roster.timelines, "talk_total", counted)
    shares = [model.index(row).data(Role.TALK).share for row in range(model.rowCount())]
    assert len(sums) == 1 and sorted(shares) == [0.0, 0.25, 0.75]
    feed(form("participant-speech-stop", 13, who="Mary"))  # a change: the sum is taken again
    mary = model.row_of(call_sid("Mary"))
    assert model.index(mary).data(Role.TALK) == TalkTime(1.0, 0.25) and len(sums) == 2
    clock.now += timedelta(seconds=1)
    model.index(mary).data(Role.TALK)
    assert len(sums) == 3  # and again when the clock moves on
