"""Takes the README's "Running a meeting" screenshots from the real window (run under Xvfb).

    Xvfb :19 -screen 0 1400x900x24 & DISPLAY=:19 .venv/bin/python docs/door_screenshots.py

The console runs against the embedded simulator; callers dial the simulated number, so they
walk /twilio/voice (the waiting room) and are moved by Calls update, as in a real call.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication

from moderator.app import Console, ConsoleOptions
from moderator.sim import Simulator
from moderator.sim.records import LINE_NUMBER
from moderator.ui.look.console_style import apply_theme

DOCS = Path(__file__).parent
PEOPLE = {
    "+14155550101": "Mary Jones",
    "+14155550102": "Alice Wong",
    "+14155550103": "Bob Stone",
    "+14155550104": "Charles Ode",
    "+14155550105": "Dana Ruiz",
}
LATE = {"+16175550106": "", "+16175550107": "Erin Park"}


async def until(check: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        await asyncio.sleep(0.05)


async def console_on(sim: Simulator, book: dict[str, str]) -> Console:
    """The console (its window 1360x860) on the running `sim`, its address book `book`
    (number -> name), the simulated number's Voice URL pointed at it."""
    data = Path(tempfile.mkdtemp())
    rows = [f"{number},{name}," for number, name in book.items() if name]
    (data / "address-book.csv").write_text("number,name,always_admit\n" + "\n".join(rows) + "\n")
    os.environ.update(TWILIO_ACCOUNT_SID=sim.account_sid, TWILIO_AUTH_TOKEN=sim.auth_token)
    console = Console(ConsoleOptions(port=0, data_dir=data, twilio_api_url=sim.base_url))
    await console.start()
    assert console.window and console.server and console.door_ui and console.core
    console.window.resize(1360, 860)
    sim.set_voice_url(LINE_NUMBER, console.server.voice_url)
    return console


async def main(app: QApplication) -> None:
    sim = Simulator(speed=10.0)
    await sim.start()
    console = await console_on(sim, {**PEOPLE, **LATE})
    assert console.window and console.door_ui
    window, door = console.window, console.door_ui
    for number in PEOPLE:
        sim.place_call(number, LINE_NUMBER)
    service = door.service
    await until(lambda: len(service.main_people()) == len(PEOPLE))
    door.lock_action.trigger()
    door.waiting_action.trigger()
    for number in LATE:
        sim.place_call(number, LINE_NUMBER)
    await until(lambda: len(service.waiting()) == len(LATE))
    await asyncio.sleep(2.5)  # "waiting 2 s", the hold music started
    window.grab().save(str(DOCS / "waiting-room.png"))
    await service.admit_all()
    await until(lambda: len(service.main_people()) == len(PEOPLE) + len(LATE))
    mary = next(p.call_sid for p in service.main_people() if p.name == "Mary Jones")
    window.controller.toggle_presenter(mary)  # she stays in main while the rooms are open
    door.rooms_action.trigger()
    door.rooms.count.setValue(3)
    door.rooms.plan(randomly=True, seed=4)
    await service.open_rooms()
    await until(lambda: sum(len(p) for p in service.room_people().values()) == 6)
    await asyncio.sleep(1.0)
    window.grab().save(str(DOCS / "breakout-rooms.png"))
    await service.close_rooms()
    await until(lambda: len(service.main_people()) == 7)
    await console.stop()
    await sim.stop()


def run(script: Callable[[QApplication], Coroutine[Any, Any, None]]) -> None:
    """Run a screenshot `script` on the console's loop, in a themed application."""
    application = QApplication(sys.argv[:1])
    apply_theme(application)
    loop = qasync.QEventLoop(application)
    asyncio.set_event_loop(loop)
    loop.run_until_complete(script(application))


if __name__ == "__main__":
    run(main)
