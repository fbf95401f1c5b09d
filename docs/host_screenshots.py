"""Takes the README's "Finding people, announcements, whispering" screenshots from the real
window (run under Xvfb).

    Xvfb :19 -screen 0 1400x900x24 & DISPLAY=:19 .venv/bin/python docs/host_screenshots.py

The console runs against the embedded simulator; callers dial the simulated number and walk
/twilio/voice. The host marks their own call, whispers to Alice (Coaching, CallSidToCoach on
the simulated participant, confirmed by its participant-modify), announces to everyone, and
searches the tiles.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

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
    "+14155550106": "Alan Park",
}


async def until(check: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        await asyncio.sleep(0.05)


async def main(app: QApplication) -> None:
    sim = Simulator(speed=10.0)
    sim.announce_time = 5.0  # 0.5 s at this speed
    await sim.start()
    data = Path(tempfile.mkdtemp())
    rows = [f"{number},{name}," for number, name in PEOPLE.items()]
    (data / "address-book.csv").write_text("number,name,always_admit\n" + "\n".join(rows) + "\n")
    os.environ.update(TWILIO_ACCOUNT_SID=sim.account_sid, TWILIO_AUTH_TOKEN=sim.auth_token)
    console = Console(ConsoleOptions(port=0, data_dir=data, twilio_api_url=sim.base_url))
    await console.start()
    assert console.window and console.server and console.door_ui and console.core
    window, door = console.window, console.door_ui
    moderator = console.core.control
    window.resize(1360, 860)
    sim.set_voice_url(LINE_NUMBER, console.server.voice_url)
    for number in PEOPLE:
        sim.place_call(number, LINE_NUMBER)
    service = door.service
    await until(lambda: len(service.main_people()) == len(PEOPLE))
    people = {p.name: p.call_sid for p in service.main_people()}
    conf = window.conference_sid
    assert conf is not None
    await until(lambda: window.participants.rowCount() == len(PEOPLE))
    window.controller.toggle_me(people["Mary Jones"])
    await moderator.whisper(conf, people["Alice Wong"])
    await until(lambda: moderator.coaching(conf) is not None)
    window.controller.ask_announcement = lambda who, recent: "We start in two minutes"
    window.window_actions.announce.trigger()
    note = window.controller.note
    await until(lambda: "heard" in note.text())
    await asyncio.sleep(1.0)
    window.grab().save(str(DOCS / "whisper.png"))
    window.search.focus()
    window.search.setText("al")
    await asyncio.sleep(0.5)
    window.grab().save(str(DOCS / "search.png"))
    await console.stop()
    await sim.stop()


if __name__ == "__main__":
    application = QApplication(sys.argv[:1])
    apply_theme(application)
    loop = qasync.QEventLoop(application)
    asyncio.set_event_loop(loop)
    loop.run_until_complete(main(application))
