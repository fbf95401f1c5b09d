"""Past conferences known by their summary: listed without reading them, opened in full."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication

from moderator.store.history import open_roster
from moderator.store.journal import Journal
from moderator.store.report import rebuild_roster
from moderator.ui.bridge import RosterBridge
from moderator.ui.grid.conference_model import started_words
from moderator.ui.shell.main_window import MainWindow
from tests.store.test_history import ALPHA, BRAVO, OPEN, journal_of_three

from .test_conference_picker import click_conference


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
