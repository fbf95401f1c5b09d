"""The shipped console with measuring hooks: `python -m benchmarks.probe [moderator options]`.

The hooks wrap methods from outside (production code carries no benchmark switches) and note,
on time.monotonic() (one clock for every process on the machine):
- when each callback reached the webhook handler and when that participant's tile was next
  painted (callback → tile repainted; a tile scrolled out of view is not counted, nor a tile
  Qt asks for inside the bounding rect of a repaint but outside its region: it is clipped away),
- every grid repaint (repaints per second),
- how late a 2 ms asyncio timer fires (the longest event-loop stall),
- every garbage collection that took over 5 ms (a cause of stalls),
- with BENCH_CLICKS=1, a Space key posted to the grid every 100 ms while callbacks stream in
  (the REST stand-in notes when the mute arrives).
Everything is written as JSON to $BENCH_PROBE_OUT when the process exits.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PAINTS: list[float] = []
TILE_LATENCY: list[tuple[float, float]] = []  # (arrival, seconds to the tile's next paint)
STALLS: list[tuple[float, float]] = []  # (when, how late a 2 ms timer fired), > 1 ms only
CLICKS: list[tuple[str, float]] = []  # (call SID, when the key event was posted)
# callbacks that reached the handler: a count, not a list (the long meeting's RSS is the
# console's: a time per callback kept here was about 9 MB of the 288,000-callback run's growth)
ARRIVED = [0]
GC_PAUSES: list[tuple[float, float, int]] = []  # (when, seconds, generation), over 5 ms only
_gc_started: list[float] = []
_waiting: dict[str, float] = {}  # call SID -> first callback since its tile was last painted
_painting: list[Any] = [None]  # the region the grid repaints now (a QRegion, None between)
_console: list[Any] = []
_tasks: list[asyncio.Task[None]] = []


def _wrap(owner: type, name: str, make: Callable[[Any], Any]) -> None:
    setattr(owner, name, make(getattr(owner, name)))


def _gc_timer(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _gc_started[:] = [time.monotonic()]
    elif _gc_started:
        took = time.monotonic() - _gc_started[0]
        if took > 0.005:
            GC_PAUSES.append((_gc_started[0], took, int(info["generation"])))


def install() -> None:
    import gc

    gc.callbacks.append(_gc_timer)
    from PySide6.QtCore import QModelIndex

    from moderator.app import Console
    from moderator.server.webhooks import WebhookServer
    from moderator.ui.grid.participant_grid import ParticipantGrid
    from moderator.ui.grid.roles import Role
    from moderator.ui.grid.tile_delegate import TileDelegate

    def handler(original: Any) -> Any:
        async def conference_events(self: Any, request: Any) -> Any:
            arrived = time.monotonic()
            ARRIVED[0] += 1
            form = await request.post()  # cached: the handler reads the same form
            call_sid = form.get("CallSid")
            if call_sid:
                _waiting.setdefault(str(call_sid), arrived)
            return await original(self, request)

        return conference_events

    def paint(original: Any) -> Any:
        def tile_paint(self: Any, painter: Any, option: Any, index: QModelIndex) -> None:
            original(self, painter, option, index)
            call_sid = str(index.data(Role.CALL_SID))
            arrived = None if _clipped_away(option.rect) else _waiting.pop(call_sid, None)
            if arrived is not None:
                TILE_LATENCY.append((arrived, time.monotonic() - arrived))

        return tile_paint

    def paint_event(original: Any) -> Any:
        def grid_paint(self: Any, event: Any) -> None:
            PAINTS.append(time.monotonic())
            _paint_region(original, self, event)
            _forget_offscreen(self)

        return grid_paint

    def start(original: Any) -> Any:
        async def console_start(self: Any) -> None:
            await original(self)
            _console.append(self)
            loop = asyncio.get_running_loop()
            _tasks.append(loop.create_task(_sample_stalls()))
            if os.environ.get("BENCH_CLICKS") == "1":
                _tasks.append(loop.create_task(_click_while_busy(self)))

        return console_start

    _wrap(WebhookServer, "_conference_events", handler)
    _wrap(TileDelegate, "paint", paint)
    _wrap(ParticipantGrid, "paintEvent", paint_event)
    _wrap(Console, "start", start)


def _paint_region(paint: Callable[[Any, Any], None], grid: Any, event: Any) -> None:
    _painting[0] = event.region()
    try:
        paint(grid, event)
    finally:
        _painting[0] = None


def _clipped_away(rect: Any) -> bool:
    """A tile Qt asks for inside the bounding rect of a repaint but outside its region."""
    region = _painting[0]
    return region is not None and not region.intersects(rect)


def _forget_offscreen(grid: Any) -> None:
    """A callback about a tile scrolled out of view has no repaint to wait for (the host
    cannot see it): it is not counted, rather than timed until a scroll happens to show it."""
    model = grid.model()
    area = grid.viewport().rect()
    for call_sid in list(_waiting):
        row = model.row_of(call_sid)
        if row >= 0 and not grid.visualRect(model.index(row)).intersects(area):
            del _waiting[call_sid]


def _on_screen_rows(grid: Any) -> list[int]:
    model = grid.model()
    area = grid.viewport().rect()
    rows = range(1, model.rowCount())  # guests: row 0 is the presenter
    return [row for row in rows if grid.visualRect(model.index(row)).intersects(area)]


async def _sample_stalls(period: float = 0.002) -> None:
    while True:
        before = time.monotonic()
        await asyncio.sleep(period)
        late = time.monotonic() - before - period
        if late > 0.001:
            STALLS.append((before, late))


async def _click_while_busy(console: Any, every: float = 0.1) -> None:
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    seen = 0
    turn = 0
    while True:
        await asyncio.sleep(every)
        received = ARRIVED[0]
        busy, seen = received > seen, received
        window = console.window
        if not busy or window is None or window.participants.rowCount() < 2:
            continue
        model = window.participants
        rows = _on_screen_rows(window.grid)  # clicking a tile off screen would scroll the grid
        if not rows:
            continue
        turn += 1
        row = rows[turn % len(rows)]
        participant = model.participant(row)
        if participant is None or participant.pending is not None:
            continue
        window.grid.setCurrentIndex(model.index(row))
        key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier)
        CLICKS.append((participant.call_sid, time.monotonic()))
        QApplication.postEvent(window.grid, key)  # queued behind whatever Qt has to do


def _dump() -> None:
    out = os.environ.get("BENCH_PROBE_OUT")
    if not out:
        return
    Path(out).write_text(
        json.dumps(
            {
                "paints": PAINTS,
                "tile_latency": TILE_LATENCY,
                "stalls": STALLS,
                "clicks": CLICKS,
                "arrivals": ARRIVED[0],
                "gc_pauses": GC_PAUSES,
            }
        )
    )


def main() -> int:
    if os.environ.get("BENCH_FRAME"):  # experiments: another coalescing interval
        from moderator.ui import bridge

        bridge.FRAME = float(os.environ["BENCH_FRAME"])
    install()
    atexit.register(_dump)
    from moderator.cli import main as moderator_main

    return moderator_main(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
