"""Tile grid with 250 participants: row-level updates against a model reset per callback.

Feeds 250 joins then 250 mutes into the real MainWindow (offscreen), letting Qt repaint after
every callback as it would live. The baseline resets the participant model on every change
instead of touching only the changed row. Prints JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication

from moderator.domain.events import parse_callback
from moderator.domain.roster import Change, Roster
from moderator.ui.bridge import RosterBridge
from moderator.ui.shell.main_window import MainWindow
from tests.forms import form

PEOPLE = 250


def run(app: QApplication, *, reset_per_change: bool) -> dict[str, float]:
    roster = Roster()
    bridge = RosterBridge(roster)
    window = MainWindow(bridge)
    window.resize(1280, 800)
    window.show()
    if reset_per_change:
        model = window.participants
        incremental = model.on_changes

        def reset(changes: list[Change]) -> None:
            model.beginResetModel()
            incremental(changes)
            model.endResetModel()

        model.on_changes = reset  # type: ignore[method-assign]  # the window calls this
    now = datetime.now(timezone.utc)
    joins = [form("participant-join", n + 1, who=f"Guest {n:03}") for n in range(PEOPLE)]
    mutes = [
        form("participant-mute", PEOPLE + n + 1, who=f"Guest {n:03}", muted=True)
        for n in range(PEOPLE)
    ]
    timings: dict[str, float] = {}
    for name, forms in (("250_joins", joins), ("250_mutes", mutes)):
        started = time.perf_counter()
        for fields in forms:
            roster.apply(parse_callback(fields, now))
            app.processEvents()  # repaint, as between two live callbacks
        timings[name] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    for _ in range(20):
        window.grid.viewport().repaint()
    timings["full_repaint_ms"] = round((time.perf_counter() - started) / 20 * 1000, 1)
    window.hide()
    window.deleteLater()
    app.processEvents()
    return timings


def main() -> None:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    rows = run(app, reset_per_change=False)
    baseline = run(app, reset_per_change=True)
    print(
        json.dumps(
            {
                "benchmark": "tile grid, 250 participants, repaint after every callback",
                "row_updates_seconds": rows,
                "baseline_reset_per_change_seconds": baseline,
                "speedup_mutes": round(baseline["250_mutes"] / rows["250_mutes"], 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
