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
from pathlib import Path

import door_screenshots  # beside this script
from door_screenshots import console_on, run, until
from PySide6.QtWidgets import QApplication

from moderator.sim import Simulator
from moderator.sim.records import LINE_NUMBER

DOCS = Path(__file__).parent
PEOPLE = {**door_screenshots.PEOPLE, "+14155550106": "Alan Park"}  # two to find with "al"


async def main(app: QApplication) -> None:
    sim = Simulator(speed=10.0)
    sim.announce_time = 5.0  # 0.5 s at this speed
    await sim.start()
    console = await console_on(sim, PEOPLE)
    assert console.window and console.door_ui and console.core
    window, door = console.window, console.door_ui
    moderator = console.core.control
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
    run(main)
