"""However fast callbacks come, the views hear about them in display-frame batches."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from moderator.domain.events import parse_callback
from moderator.domain.roster import Roster
from moderator.ui import bridge as bridge_module
from moderator.ui.bridge import BURST, FRAME, SLOWEST_FRAME, RosterBridge
from moderator.ui.log.event_log_model import EventLogModel, LogEntry
from moderator.ui.shell.main_window import MainWindow
from tests.forms import START, call_sid, form, team_meeting
from tests.helpers.fake_moderator import FakeModerator

from ..conftest import Feed


def _joins(count: int) -> list[dict[str, str]]:
    forms = [form("participant-join", 1, who="Host", start_on_enter=True)]
    forms.append(form("conference-start", 2))
    forms += [form("participant-join", 2 + n, who=f"Guest {n}") for n in range(1, count)]
    return forms


def test_a_burst_of_callbacks_reaches_the_views_as_one_batch(
    qtbot: Any, qapp: QApplication
) -> None:
    roster = Roster()
    bridge = RosterBridge(roster)
    batches: list[list[Any]] = []
    event_batches: list[list[Any]] = []
    bridge.changed.connect(batches.append)
    bridge.events_received.connect(event_batches.append)
    try:
        for fields in _joins(250):  # as the ingest does, callback after callback
            event = parse_callback(fields, START)
            roster.apply(event)
            bridge.on_event(event)
        assert batches == [] and event_batches == []  # nothing repaints per callback
        qtbot.waitUntil(lambda: bool(event_batches))
        qtbot.wait(50)
        assert len(batches) == 1 and len(event_batches) == 1
        assert len(event_batches[0]) == 251
        joined = {c.call_sid for c in batches[0] if c.call_sid is not None}
        assert len(joined) == 250
    finally:
        bridge.detach()


def test_event_log_appends_a_batch_with_one_insertion() -> None:
    model = EventLogModel(limit=50)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    entries = [LogEntry(at=START, event=f"line {n}") for n in range(30)]
    model.extend(entries)
    assert inserted == [(0, 29)]
    model.extend([LogEntry(at=START, event=f"more {n}") for n in range(40)])
    assert model.rowCount() == 50  # capped: the oldest twenty went in one removal
    assert (model.entry(0).event, model.entry(49).event) == ("line 20", "more 39")
    assert inserted == [(0, 29), (10, 49)]


def shown_window(qtbot: Any) -> tuple[Roster, RosterBridge, MainWindow]:
    """An empty roster, its bridge, and the main window on it, shown."""
    roster = Roster()
    bridge = RosterBridge(roster)
    window = MainWindow(bridge)
    qtbot.addWidget(window)
    window.show()
    return roster, bridge, window


def test_window_takes_a_burst_in_one_batch(qtbot: Any, themed: QApplication) -> None:
    roster, bridge, window = shown_window(qtbot)
    inserted: list[tuple[int, int]] = []
    window.log_model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    try:
        for fields in _joins(120):
            event = parse_callback(fields, START)
            roster.apply(event)
            bridge.on_event(event)
        qtbot.waitUntil(lambda: window.participants.rowCount() == 120)
        qtbot.waitUntil(lambda: window.log_model.rowCount() >= 121)
        assert len(inserted) == 1  # one insertion for the whole burst, not 121
    finally:
        bridge.detach()


def test_slow_views_stretch_the_frame_up_to_a_bound(
    qtbot: Any, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the bridge's clock, moved by the views: a busy machine cannot make the quick batch slow
    clock = [100.0]
    monkeypatch.setattr(bridge_module, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    roster = Roster()
    bridge = RosterBridge(roster)

    def slow_view(_changes: object) -> None:  # a view that takes 20 ms
        clock[0] += 0.02

    bridge.changed.connect(slow_view)
    try:
        assert bridge.frame == FRAME
        roster.apply(parse_callback(form("participant-join", 1, who="Host"), START))
        bridge.flush()
        assert bridge.frame == SLOWEST_FRAME  # 20 ms is more than a quarter of 50 ms
        bridge.changed.disconnect()
        roster.apply(parse_callback(form("participant-join", 2, who="Guest"), START))
        bridge.flush()
        assert bridge.frame == FRAME  # quick again: back to the display's rate
    finally:
        bridge.detach()


def test_a_lone_callback_goes_out_at_once_however_slow_the_last_batch(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [100.0]
    monkeypatch.setattr(bridge_module, "time", SimpleNamespace(monotonic=lambda: clock[0]))

    def slow_view(_changes: object) -> None:  # the views take 12 ms of the loop
        clock[0] += 0.012

    roster = Roster()
    bridge = RosterBridge(roster)
    bridge.changed.connect(slow_view)

    def arrives(sequence: int) -> None:
        event = parse_callback(form("participant-join", sequence, who=f"Guest {sequence}"), START)
        roster.apply(event)
        bridge.on_event(event)

    try:
        for sequence in (1, 2, 3):  # callbacks come faster than frames: under load
            arrives(sequence)
        bridge.flush()
        assert bridge.frame == SLOWEST_FRAME  # stretched: 12 ms is more than a tenth of 50
        clock[0] = 100.013
        arrives(4)
        busy = bridge.flush_timer.interval()
        clock[0] = 200.0
        bridge.flush()  # a batch of that one callback, as slow
        clock[0] = 200.013  # the next one 13 ms later (as at 50/s on a busy machine)
        arrives(5)
        idle = bridge.flush_timer.interval()
        assert busy == 37 and idle == 0  # the stretched frame; at once
    finally:
        bridge.detach()


def test_a_quiet_console_delivers_at_once_and_paces_batches_by_credit(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A callback a few ms after another batch goes at once (it waited for the next frame,
    and every callback after it waited behind it); only past BURST quick batches do they
    wait, so however callbacks come one at a time, batches stay near the display's rate."""
    clock = [100.0]
    monkeypatch.setattr(bridge_module, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    roster = Roster()
    bridge = RosterBridge(roster)
    waits: list[int] = []

    def arrives(sequence: int) -> None:
        event = parse_callback(form("participant-join", sequence, who=f"Guest {sequence}"), START)
        roster.apply(event)
        bridge.on_event(event)
        waits.append(bridge.flush_timer.interval())
        clock[0] += bridge.flush_timer.interval() / 1000  # the timer fires
        bridge.flush()

    try:
        for sequence in range(1, 61):  # 60 callbacks one at a time, 4 ms apart (250/s)
            arrives(sequence)
            clock[0] += 0.004
        quick = int(BURST)
        assert waits[:quick] == [0] * quick  # quiet: the first ones at once, 4 ms apart
        assert all(wait > 0 for wait in waits[2 * quick :])  # then paced
        spent = clock[0] - 100.0
        assert len(waits) / spent <= 1 / FRAME + BURST / spent  # the display's rate, + BURST
        clock[0] += 1.0  # a quiet second
        waits.clear()
        arrives(61)
        clock[0] += 0.003
        arrives(62)
        assert waits == [0, 0]
    finally:
        bridge.detach()


def test_the_window_s_repaint_counts_as_view_time(
    qtbot: Any, themed: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the batches take no time on the bridge's clock: a busy machine cannot stretch them
    monkeypatch.setattr(bridge_module, "time", SimpleNamespace(monotonic=lambda: 100.0))
    roster, bridge, window = shown_window(qtbot)
    qtbot.waitExposed(window)
    painted: list[float] = []
    note_paint = bridge.note_paint
    bridge.note_paint = lambda seconds: painted.append(seconds) or note_paint(seconds)  # type: ignore[method-assign]
    try:
        window.grid.viewport().update()
        qtbot.waitUntil(lambda: bool(painted))
        bridge.note_paint(0.03)  # a repaint of 30 ms: the next batch waits longer
        roster.apply(parse_callback(form("participant-join", 1, who="Host"), START))
        bridge.flush()
        assert bridge.frame == SLOWEST_FRAME
        roster.apply(parse_callback(form("participant-join", 2, who="Guest"), START))
        bridge.flush()
        assert bridge.frame == FRAME  # that repaint is counted once
    finally:
        bridge.detach()


def test_every_repaint_since_the_last_batch_counts(qapp: QApplication) -> None:
    """The log's, the scroll bar's and the clock's repaints cost the loop as much as the
    batch's own: under load the frame stretches by all of them, not the last one alone."""
    roster = Roster()
    bridge = RosterBridge(roster)
    try:
        for _ in range(4):
            bridge.note_paint(0.0015)  # four repaints of 1.5 ms: 6 ms of the loop
        roster.apply(parse_callback(form("participant-join", 1, who="Host"), START))
        bridge.flush()
        assert bridge.frame == SLOWEST_FRAME  # 6 ms is more than a tenth of 50 ms
    finally:
        bridge.detach()


def test_callback_lines_reach_the_log_in_one_insertion_per_batch(qtbot: Any) -> None:
    model = EventLogModel(limit=50)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    for n in range(3):  # three display frames' worth of callbacks
        model.queue([LogEntry(at=START, event=f"frame {n} line {k}") for k in range(4)])
    assert inserted == []  # the table does not repaint per frame
    qtbot.waitUntil(lambda: model.rowCount() == 12)
    assert inserted == [(0, 11)]
    model.queue([LogEntry(at=START, event="queued")])
    model.append(LogEntry(at=START, event="message"))  # a message comes after what is queued
    assert [model.entry(row).event for row in (12, 13)] == ["queued", "message"]
    assert inserted == [(0, 11), (12, 13)]


def test_a_callback_repaints_its_own_tile_only(qtbot: Any, themed: QApplication) -> None:
    """A speech start changes Alice's tile and the conference (its own change, no call SID):
    with a host service but no host call, only Alice's row is told changed, not every tile."""
    roster = Roster()
    bridge = RosterBridge(roster)
    window = MainWindow(bridge, FakeModerator())
    qtbot.addWidget(window)
    feed = Feed(roster, bridge)
    feed(*team_meeting())
    model = window.participants
    told: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda first, last, *_: told.append((first.row(), last.row())))
    try:
        feed(form("participant-speech-start", 8, who="Alice", muted=True))
        alice = model.row_of(call_sid("Alice"))
        assert told == [(alice, alice)]
    finally:
        bridge.detach()


def test_a_live_conference_s_batch_does_not_count_who_took_part(
    qtbot: Any, themed: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'N took part' is told of an ended call only: the header no longer counts everyone who
    was ever in the live one at every batch; at the end it says it as before."""
    roster, bridge, window = shown_window(qtbot)
    feed = Feed(roster, bridge)
    feed(*team_meeting())
    counted: list[str] = []
    took_part = roster.took_part
    monkeypatch.setattr(roster, "took_part", lambda sid: counted.append(sid) or took_part(sid))
    try:
        feed(form("participant-speech-start", 8, who="Alice", muted=True))
        assert counted == []
        feed(form("conference-end", 9, ReasonConferenceEnded="conference-ended-via-api"))
        assert counted and "4 people took part" in window.subtitle.text()
    finally:
        bridge.detach()


def test_the_log_reads_each_caller_s_name_once_a_batch(
    qtbot: Any, themed: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    roster, bridge, window = shown_window(qtbot)
    feed = Feed(roster, bridge)
    feed(*team_meeting())
    asked: list[str] = []
    name_of = window._name_of
    monkeypatch.setattr(
        window, "_name_of", lambda conf, call: asked.append(call) or name_of(conf, call)
    )
    try:
        feed(  # Alice is unmuted, speaks and stops in one batch: three lines, her name once
            form("participant-unmute", 8, who="Alice"),
            form("participant-speech-start", 9, who="Alice"),
            form("participant-speech-stop", 10, who="Alice"),
        )
        window.log_model.flush()
        assert asked == [call_sid("Alice")]
        lines = [window.log_model.entry(row) for row in range(window.log_model.rowCount())][-3:]
        assert [(line.event, line.who) for line in lines] == [
            ("Unmuted", "Alice"),
            ("Started speaking", "Alice"),
            ("Stopped speaking", "Alice"),
        ]
    finally:
        bridge.detach()
