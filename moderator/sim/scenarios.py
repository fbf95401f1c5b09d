"""Scripted conferences (team-meeting, large) played against the simulator on a timeline."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from moderator.sim.engine import Engine
from moderator.sim.errors import SimError
from moderator.sim.records import MAX_PARTICIPANTS

log = logging.getLogger(__name__)

Action = Callable[[], Awaitable[None]]
AREAS = ("212", "312", "415", "617", "202", "718")


@dataclass(frozen=True)
class Person:
    """Someone who dials in during a scenario."""

    label: str
    number: str
    caller_name: str | None = None
    start_conference_on_enter: bool = False
    end_conference_on_exit: bool = False
    muted: bool = False


def guest_number(index: int) -> str:
    """A distinct fictional E.164 number (+1 NPA 555-01xx) for guest `index`."""
    return f"+1{AREAS[(index // 100) % len(AREAS)]}55501{index % 100:02d}"


class Script:
    """Actions at scenario times (seconds, divided by the simulator's speed when played).

    With a conference SID, people are injected into it; with `dial`, they call that number of
    the account and go wherever its Voice URL's TwiML sends them (the conference is the first
    one a caller joins).
    """

    def __init__(self, sim: Engine, conference_sid: str = "", dial: str | None = None) -> None:
        self.sim = sim
        self.conference_sid = conference_sid
        self.dial = dial
        self.calls: dict[str, str] = {}  # label -> CallSid of the person's latest call (dial)
        self._steps: list[tuple[float, int, Action]] = []

    def at(self, when: float, action: Action) -> None:
        """Run `action` at scenario time `when`."""
        self._steps.append((when, len(self._steps), action))

    def join(self, when: float, person: Person) -> None:
        """`person` dials in."""

        async def act() -> None:
            if self.dial is not None:
                call = self.sim.place_call(person.number, self.dial)
                self.calls[person.label] = call.sid
                return
            await self.sim.join(
                self.conference_sid,
                label=person.label,
                number=person.number,
                caller_name=person.caller_name,
                start_conference_on_enter=person.start_conference_on_enter,
                end_conference_on_exit=person.end_conference_on_exit,
                muted=person.muted,
            )

        self.at(when, act)

    def leave(self, when: float, label: str) -> None:
        """`label` hangs up."""

        async def act() -> None:
            if self.dial is None:
                await self.sim.leave(self.conference_sid, label, "participant_hung_up")
            elif label in self.calls and self.sim.call(self.calls[label]).live:
                await self.sim.hang_up(self.calls[label])

        self.at(when, act)

    def hold(self, when: float, label: str, hold: bool) -> None:
        """`label` is put on or taken off hold."""

        async def act() -> None:
            where = self._where(label)
            if where is not None:
                await self.sim.set_hold(*where, hold)

        self.at(when, act)

    def _where(self, label: str) -> tuple[str, str] | None:
        """(conference SID, CallSid or label) of `label` now, if in a conference."""
        if self.dial is None:
            return self.conference_sid, label
        call_sid = self.calls.get(label)
        if call_sid is None:
            return None
        conference_sid = self.sim.call(call_sid).conference_sid
        return None if conference_sid is None else (conference_sid, call_sid)

    def speak(self, when: float, length: float, label: str) -> None:
        """`label` talks for `length` seconds (if present, unmuted and not on hold)."""

        async def start() -> None:
            where = self._where(label)
            part = self.sim.participant(*where) if where else None
            if where and part is not None and not part.muted and not part.hold:
                await self.sim.set_speaking(*where, True)

        async def stop() -> None:
            where = self._where(label)
            part = self.sim.participant(*where) if where else None
            if where and part is not None and part.speaking:
                await self.sim.set_speaking(*where, False)

        self.at(when, start)
        self.at(when + length, stop)

    async def play(self) -> str:
        """Run every step on time; stops early when the conference has ended."""
        loop = asyncio.get_running_loop()
        began = loop.time()
        for when, _order, action in sorted(self._steps, key=lambda s: (s[0], s[1])):
            delay = began + when / self.sim.speed - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if not self.conference_sid:  # dialling in: the first conference a caller joined
                joined = (self.sim.call(sid).conference_sid for sid in self.calls.values())
                self.conference_sid = next((c for c in joined if c), "")
            if self.conference_sid and not self.sim.conference(self.conference_sid).live:
                log.info("scenario conference %s ended early", self.conference_sid)
                break
            try:
                await action()
            except SimError as err:  # the console may have kicked someone meanwhile
                log.debug("scenario step skipped: %s", err.message)
        return self.conference_sid


MARY = Person("Mary", "+12125550100", "MARY JOHNSON", True, True)
ALICE = Person("Alice", "+13125550101", "ALICE SMITH")
BOB = Person("Bob", "+14155550102", "BOB BROWN")
CHARLES = Person("Charles", "+16175550103", "CHARLES DAVIS")
TEAM_MEETING_PEOPLE = (MARY, ALICE, BOB, CHARLES)  # Mary presents
# what each says when their leg is transcribed (captions), line after line
TEAM_MEETING_LINES = {
    MARY.number: (
        "Good morning everyone, thanks for joining.",
        "First item: the launch date moves to the fourteenth.",
        "Alice, can you walk us through the budget?",
        "Great, let's keep that number for now.",
        "Next, the customer feedback from last week.",
        "Onboarding came up three times, so that is our focus.",
        "Bob, please share the notes from those calls.",
        "Charles, marketing needs the new date by Friday.",
        "Let's review the hiring plan next time.",
        "Remember the all-hands on Thursday at ten.",
        "Any questions before we wrap up?",
        "Thanks everyone, talk to you next week.",
    ),
    ALICE.number: (
        "Morning! The budget is on track.",
        "We spent about sixty percent so far.",
        "I'll send the spreadsheet after the call.",
        "Yes, that works for me.",
    ),
    BOB.number: (
        "Sorry, I was on mute.",
        "The feedback was mostly about the onboarding.",
        "Three customers asked for a shorter setup.",
    ),
    CHARLES.number: (
        "Quick question about the launch date.",
        "Does marketing know already?",
        "Thanks, that answers it.",
    ),
}


def team_meeting(sim: Engine, callback_url: str, dial: str | None = None) -> Script:
    """Mary hosts Alice, Bob and Charles for about three minutes.

    With `dial` (one of the account's numbers) they call it, and its Voice URL's TwiML decides
    who presents and where the callbacks go; `callback_url` is then unused.
    """
    if dial is None:
        script = Script(sim, sim.create_conference("TeamMeeting", status_callback=callback_url))
    else:
        if sim.number_for(dial) is None:
            raise ValueError(f"{dial} is not one of the simulated account's numbers")
        script = Script(sim, dial=dial)
    for number, lines in TEAM_MEETING_LINES.items():
        sim.transcriptions.script(number, lines)
    mary, alice, bob, charles = TEAM_MEETING_PEOPLE
    for at, person in ((0, mary), (2, alice), (4, bob), (6, charles)):
        script.join(at, person)
    script.leave(30, "Bob")
    script.join(40, bob)  # a new CallSid, same label and number
    script.hold(60, "Charles", True)
    script.hold(75, "Charles", False)
    labels = ["Mary", "Alice", "Bob", "Charles"]
    weights = [5, 2, 2, 1.5]
    when = 8.0
    while when < 168:
        speaker = sim.rng.choices(labels, weights)[0]
        length = sim.rng.uniform(3, 9) if speaker == "Mary" else sim.rng.uniform(1.5, 5)
        script.speak(when, length, speaker)
        if sim.rng.random() < 0.2:  # someone chimes in
            other = sim.rng.choice([x for x in labels if x != speaker])
            script.speak(when + length / 2, 1.0, other)
        when += length + sim.rng.uniform(0.3, 2.0)
    script.leave(172, "Charles")
    script.leave(175, "Bob")
    script.leave(178, "Mary")  # endConferenceOnExit: Alice is dropped, conference-end
    return script


def large(
    sim: Engine, callback_url: str, count: int = MAX_PARTICIPANTS, duration: float = 60.0
) -> Script:
    """`count` participants in all (a presenter and `count - 1` guests) join in a burst."""
    if not 1 <= count <= MAX_PARTICIPANTS:
        raise ValueError(f"count must be between 1 and {MAX_PARTICIPANTS}, got {count}")
    conf = sim.create_conference("LargeMeeting", status_callback=callback_url)
    script = Script(sim, conf)
    script.join(0, Person("Presenter", "+12025550100", "PRESENTER", True, True))
    guests = count - 1
    burst = 2.0
    for i in range(1, guests + 1):
        person = Person(f"Guest {i:03d}", guest_number(i), muted=True)
        script.join(0.5 + burst * (i - 1) / max(guests, 1), person)
    when = 3.0
    while when < duration - 3:
        length = sim.rng.uniform(4, 10)
        script.speak(when, length, "Presenter")
        when += length + sim.rng.uniform(0.5, 1.5)
    for i in sim.rng.sample(range(1, guests + 1), min(guests, 5)):
        script.leave(sim.rng.uniform(20, max(20.0, duration - 5)), f"Guest {i:03d}")
    script.leave(duration, "Presenter")
    return script


SCENARIOS: dict[str, Callable[..., Script]] = {"team-meeting": team_meeting, "large": large}


def build_scenario(
    sim: Engine, name: str, callback_url: str, **options: Any
) -> Coroutine[Any, Any, str]:
    """Check `name` and options now; the returned coroutine plays the scenario."""
    factory = SCENARIOS.get(name)
    if factory is None:
        raise ValueError(f"unknown scenario {name!r} (known: {', '.join(SCENARIOS)})")
    return factory(sim, callback_url, **options).play()
