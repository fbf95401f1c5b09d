"""Past conferences known by their summary: listed without reading them, opened in full."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication

from moderator.app import ConsoleOptions
from moderator.store.history import open_roster
from moderator.store.journal import Journal
from moderator.store.report import rebuild_roster
from moderator.ui.bridge import RosterBridge
from moderator.ui.grid.conference_model import started_words
from moderator.ui.shell.main_window import MainWindow
from tests.store.test_history import ALPHA, BRAVO, OPEN, journal_of_three, meeting, store

from .test_conference_picker import click_conference
from .test_console_app import CLOSED_PORT, console_running


def test_the_picker_lists_past_conferences_unread_and_opens_them_in_full(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    journal = Journal.in_dir(journal_of_three(tmp_path))
    full = rebuild_roster(journal)
    open_roster(journal)  # the first start summarises Alpha and Bravo
    roster = open_roster(journal)
    bridge = RosterBridge(roster)
    window = MainWindow(bridge, None)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    assert window.conference_sid == OPEN  # the live call, as before
    rows = [window.conferences.index(row).data() for row in range(3)]
    assert rows[0].startswith("Standup")
    # newest first; an ended one with the day and time it started (from its summary)
    for row, sid in ((1, BRAVO), (2, ALPHA)):
        started = roster.conference(sid).started_at
        assert started is not None
        name = "Bravo" if sid == BRAVO else "Alpha"
        assert rows[row] == f"{name}\nEnded · 3 took part\n{started_words(started)}"
    assert not roster.is_folded(ALPHA) and not roster.is_folded(BRAVO)  # listing read nothing

    click_conference(qtbot, window, ALPHA)  # the host opens yesterday's meeting
    assert "3 people took part" in window.subtitle.text()  # from its summary: no tiles to show
    assert "3 people took part" in window.grid.empty_text
    assert window.participants.rowCount() == 0
    assert not roster.is_folded(ALPHA)
    summary = window.insights.open_summary(BRAVO)  # its summary and timeline read it in full
    assert summary.table.rowCount() == 3
    assert roster.is_folded(BRAVO) and not roster.is_folded(ALPHA)
    timeline = window.insights.open_timeline(BRAVO)
    layout = timeline.current_layout()
    assert layout is not None
    assert roster.timelines.conference(BRAVO) == full.timelines.conference(BRAVO)
    window.close()
    bridge.detach()
    journal.close()


def test_a_start_shows_the_newest_past_conference_without_folding_it(
    qtbot: Any, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    """The console's start on a journal of ended meetings reads none of them in full: the
    captions pane followed the shown one by folding it (0.4 s at start for 5,000 callbacks)."""
    journal = Journal.in_dir(tmp_path)
    store(journal, meeting(ALPHA, "Alpha") + meeting(BRAVO, "Bravo"))
    open_roster(journal)  # the first start summarises both
    journal.close()
    options = ConsoleOptions(port=0, data_dir=tmp_path, twilio_api_url=CLOSED_PORT)
    with console_running(qtbot, qloop, options) as console:
        window = console.window
        assert window is not None and window.captions_pane is not None
        assert window.conference_sid == BRAVO  # the newest, shown by its summary
        assert "3 people took part" in window.subtitle.text()
        assert not console.roster.is_folded(BRAVO) and not console.roster.is_folded(ALPHA)
        click_conference(qtbot, window, ALPHA)
        assert not console.roster.is_folded(ALPHA)
