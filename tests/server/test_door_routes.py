"""The door on the voice route: PIN prompt and attempts, lock, waiting room, announcements."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from aiohttp.test_utils import TestClient
from twilio.request_validator import RequestValidator

from moderator.core import Core, CoreConfig, open_core
from moderator.credentials import Credentials
from moderator.domain.address_book import AddressBook
from moderator.domain.door import (
    ASK_PIN,
    LOCKED,
    MEETING_OVER,
    PLEASE_WAIT,
    TOO_MANY_ATTEMPTS,
    WRONG_PIN,
    Door,
    DoorEntry,
)
from moderator.domain.events import parse_callback
from moderator.domain.host_state import fold, hash_pin
from moderator.domain.twiml import KnownCaller
from moderator.sim import Simulator
from moderator.sim.records import LINE_NUMBER
from moderator.store.call_status_log import CallStatusLog
from tests.forms import START, call_sid, form
from tests.helpers.media import Media
from tests.helpers.polling import poll_until
from tests.helpers.sim_calls import call_record, said

TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC = "https://door.example.ngrok.app/prefix"
ALICE = "+14155550101"
STRANGER = "+14155550199"


class Door_:
    def __init__(self, core: Core) -> None:
        self.journal = core.journal
        self.roster = core.roster
        self.server = core.server
        self.door = core.door
        self.heard: list[DoorEntry] = []
        assert core.voice_door is not None
        core.voice_door.entries.connect(self.heard.append)
        self.client: TestClient[Any, Any]

    async def call(
        self, path: str, number: str, who: str = "x", **extra: str
    ) -> ElementTree.Element:
        fields = {"CallSid": call_sid(who), "From": number, "To": "+12025550199", **extra}
        signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, fields)
        response = await self.client.post(
            path, data=fields, headers={"X-Twilio-Signature": signature}
        )
        assert response.status == 200, await response.text()
        assert response.content_type == "text/xml"
        return ElementTree.fromstring((await response.text()).split("?>", 1)[1])


@pytest.fixture
async def door(tmp_path: Path, aiohttp_client: Any) -> Any:
    config = CoreConfig(
        data_dir=tmp_path,
        credentials=Credentials("AC" + "1" * 32, TOKEN),
        public_url=PUBLIC,
        control=False,
        door=Door(book=AddressBook().with_name(ALICE, "Alice")),
    )
    async with open_core(config) as core:
        d = Door_(core)
        d.client = await aiohttp_client(core.server.make_app())
        yield d


def _tags(root: ElementTree.Element) -> list[str]:
    return [element.tag for element in root]


async def test_open_door_joins_and_journals_the_caller(door: Door_) -> None:
    root = await door.call("/twilio/voice", ALICE, "alice")
    conference = root.find("Dial/Conference")
    assert conference is not None and conference.text == "TeamMeeting"
    assert conference.get("statusCallback") == PUBLIC + "/twilio/conference-events"
    [action] = door.journal.actions()
    assert (action.kind, action.origin, action.conference_sid) == ("join", "door", "TeamMeeting")
    assert action.params == {"from": ALICE, "name": "Alice"}
    assert door.heard[0].text == "Alice is let in"  # as the tile names her


async def test_pin_prompt_then_three_wrong_pins_hang_up(door: Door_) -> None:
    door.door.update(pin_hash=hash_pin("2468"))
    root = await door.call("/twilio/voice", STRANGER)
    gather = root.find("Gather")
    assert gather is not None and gather.get("action") == PUBLIC + "/twilio/voice/pin?attempt=1"
    for attempt in (1, 2):
        root = await door.call(f"/twilio/voice/pin?attempt={attempt}", STRANGER, Digits="1111")
        gather = root.find("Gather")
        assert gather is not None
        assert gather.get("action") == PUBLIC + f"/twilio/voice/pin?attempt={attempt + 1}"
    root = await door.call("/twilio/voice/pin?attempt=3", STRANGER, Digits="1111")
    assert _tags(root) == ["Say", "Hangup"]
    kinds = [(a.kind, a.params.get("attempt")) for a in door.journal.actions()]
    assert kinds == [("ask-pin", "1"), ("wrong-pin", "1"), ("wrong-pin", "2"), ("pin-refused", "3")]
    assert "attempt 2 of 3" in door.heard[2].text
    assert "3 times and was hung up" in door.heard[3].text


async def test_right_pin_joins(door: Door_) -> None:
    door.door.update(pin_hash=hash_pin("2468"))
    root = await door.call("/twilio/voice/pin?attempt=2", STRANGER, Digits="2468")
    assert root.find("Dial/Conference") is not None
    assert [a.kind for a in door.journal.actions()] == ["pin-right", "join"]


async def test_a_forged_attempt_count_cannot_buy_more_tries(door: Door_) -> None:
    door.door.update(pin_hash=hash_pin("2468"))
    root = await door.call("/twilio/voice/pin?attempt=-5", STRANGER, Digits="0")
    gather = root.find("Gather")
    assert gather is not None and gather.get("action", "").endswith("attempt=2")


async def test_locked_meeting_turns_callers_away_but_not_always_admit(door: Door_) -> None:
    door.door.update(locked=True)
    root = await door.call("/twilio/voice", STRANGER)
    assert _tags(root) == ["Say", "Hangup"]
    assert "locked" in (root.findtext("Say") or "")
    door.door.set_book(door.door.book.with_always_admit(ALICE, True))
    assert (await door.call("/twilio/voice", ALICE)).find("Dial/Conference") is not None
    assert [a.kind for a in door.journal.actions()] == ["locked-out", "join"]


async def test_waiting_room_sends_callers_to_the_lobby(door: Door_) -> None:
    door.door.update(waiting_room=True)
    door.server.hold_music_url = "https://music.example/hold.mp3"
    root = await door.call("/twilio/voice", STRANGER)
    conference = root.find("Dial/Conference")
    assert conference is not None and conference.text == "TeamMeeting-lobby"
    assert conference.get("startConferenceOnEnter") == "false"
    assert conference.get("waitUrl") == "https://music.example/hold.mp3"
    assert conference.get("waitMethod") == "GET"  # a static host answers POST with 405
    assert conference.get("statusCallback") == PUBLIC + "/twilio/conference-events"


async def test_caller_number_reaches_the_tile_before_any_lookup(door: Door_) -> None:
    await door.call("/twilio/voice", ALICE, "alice")
    door.roster.set_names(door.door.book.name_of)
    door.roster.apply(parse_callback(form("participant-join", 1, who="alice"), START))
    participant = door.roster.participant(
        form("participant-join", 1)["ConferenceSid"], call_sid("alice")
    )
    assert participant is not None
    assert (participant.number, participant.name, participant.display_name) == (
        ALICE,
        "Alice",
        "Alice",
    )


def announce_path(door: Door_, text: str) -> str:
    url = door.server.addresses().announce_url(text)
    assert url.startswith(PUBLIC)
    return url[len(PUBLIC) :]


async def test_announcement_speaks_the_text_and_checks_the_signature(door: Door_) -> None:
    path = announce_path(door, "Rooms close in one minute")
    assert "Rooms" not in path  # the text stays on the server; the URL names its id
    root = await door.call(path, "")
    assert root.findtext("Say") == "Rooms close in one minute"
    response = await door.client.post(path, data={"CallSid": "CA1"})
    assert response.status == 403
    unknown = await door.call("/twilio/announce?id=forgotten", "")
    assert unknown.findtext("Say") is None  # silence, not someone else's text


async def test_control_characters_in_an_announcement_still_make_twiml_that_parses(
    door: Door_,
) -> None:
    text = "Rooms\x00 close\x1b[31m in\x0b one\x7f minute\ud800\uffff\tnow"
    root = await door.call(announce_path(door, text), "")  # call() parses the answer
    assert root.findtext("Say") == "Rooms close[31m in one\x7f minute\tnow"


async def test_pin_and_voice_need_a_signature(door: Door_) -> None:
    for path in ("/twilio/voice", "/twilio/voice/pin?attempt=1"):
        response = await door.client.post(path, data={"From": STRANGER, "Digits": "2468"})
        assert response.status == 403


async def test_known_callers_keep_their_label_and_role_through_the_door(door: Door_) -> None:
    door.server.known_callers = {
        ALICE: KnownCaller("Alice", presenter=True),
        STRANGER: KnownCaller("Zed"),
    }
    conference = (await door.call("/twilio/voice", ALICE)).find("Dial/Conference")
    assert conference is not None
    assert conference.get("participantLabel") == "Alice"
    assert conference.get("endConferenceOnExit") == "true"
    door.door.update(waiting_room=True)
    lobby = (await door.call("/twilio/voice", STRANGER)).find("Dial/Conference")
    assert lobby is not None and lobby.text == "TeamMeeting-lobby"
    assert lobby.get("participantLabel") == "Zed"
    assert lobby.get("startConferenceOnEnter") == "false"
    # the door speaks of them as their tiles do, not by number
    assert [entry.text for entry in door.heard] == [
        "Alice is let in",
        "Zed is in the waiting room",
    ]


async def test_under_attack_the_pin_prompt_waits_and_a_locked_out_number_is_not_asked(
    door: Door_,
) -> None:
    assert door.server.door is not None
    guard = door.server.door.guard
    door.door.update(pin_hash=hash_pin("2468"))
    now = door.server.door.clock()
    for n in range(guard.policy.alarm_at):
        guard.failed(f"+1312555{n:04}", now)
    root = await door.call("/twilio/voice", STRANGER, "stranger")
    assert _tags(root)[:2] == ["Pause", "Gather"]
    pause = root.find("Pause")
    assert pause is not None and pause.get("length") == str(guard.policy.slow_seconds)
    for _ in range(guard.policy.per_number):
        guard.failed(STRANGER, now)
    root = await door.call("/twilio/voice", STRANGER, "stranger")
    assert _tags(root) == ["Say", "Hangup"]
    assert door.journal.actions()[-1].kind == "pin-locked-out"


# ---- the number's call status callback ------------------------------------------------------


def ended(who: str, status: str = "completed", **extra: str) -> dict[str, str]:
    """A call status callback as Twilio sends the number's StatusCallback at a call's end."""
    return {
        "AccountSid": "AC" + "1" * 32,
        "CallSid": call_sid(who),
        "CallStatus": status,
        "From": STRANGER,
        "To": "+12025550199",
        "Direction": "inbound",
        "CallDuration": "7",
        "CallbackSource": "call-progress-events",
        "Timestamp": "Wed, 25 Nov 2026 16:00:07 +0000",
        "SequenceNumber": "0",
        **extra,
    }


async def post_call_status(door: Door_, fields: dict[str, str], *, signed: bool = True) -> Any:
    path = "/twilio/call-status"
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, fields)
    headers = {"X-Twilio-Signature": signature if signed else "A" * 28}
    return await door.client.post(path, data=fields, headers=headers)


async def test_a_call_status_is_journaled_before_its_204_and_unsigned_or_malformed_is_refused(
    door: Door_,
) -> None:
    store = CallStatusLog(door.journal.path, read_only=True)
    try:
        assert (await post_call_status(door, ended("x"), signed=False)).status == 403
        response = await post_call_status(door, ended("x", CallStatus=""))
        assert response.status == 400 and "CallStatus" in await response.text()
        response = await post_call_status(door, ended("x", CallSid="nope"))
        assert response.status == 400 and "CallSid" in await response.text()
        assert list(store.events()) == []
        assert (await post_call_status(door, ended("x"))).status == 204
        [stored] = store.events()  # committed before the answer
        assert (stored.call_sid, stored.status, stored.duration) == (call_sid("x"), "completed", 7)
        assert stored.ended and stored.number == STRANGER
    finally:
        store.close()


async def test_the_door_says_who_hung_up_at_the_pin_prompt_and_who_left_the_waiting_room(
    door: Door_,
) -> None:
    door.door.update(pin_hash=hash_pin("2468"))
    await door.call("/twilio/voice", STRANGER, "asked")
    await door.call("/twilio/voice", STRANGER, "wrong")
    await door.call("/twilio/voice/pin?attempt=1", STRANGER, "wrong", Digits="1111")
    await door.call("/twilio/voice/pin?attempt=1", ALICE, "joined", Digits="2468")
    door.door.update(pin_hash="", waiting_room=True)
    await door.call("/twilio/voice", STRANGER, "waiting")
    for who in ("asked", "wrong", "joined", "waiting"):
        assert (await post_call_status(door, ended(who))).status == 204
    ends = [(a.call_sid, a.kind) for a in door.journal.actions() if a.kind in ENDS]
    assert ends == [
        (call_sid("asked"), "hung-up-at-pin"),
        (call_sid("wrong"), "hung-up-at-pin"),
        (call_sid("waiting"), "left-lobby"),  # Alice joined: her end is the meeting's to tell
    ]
    assert [e.text for e in door.heard if e.kind in ENDS] == [
        f"{STRANGER} hung up at the PIN prompt",
        f"{STRANGER} hung up at the PIN prompt",
        f"{STRANGER} left the waiting room (hung up)",
    ]
    # the host state's fold: nobody waits at the door now
    assert fold("TeamMeeting", door.journal.actions()).waiting == frozenset()
    # a second callback for the same end (Twilio retries) says nothing twice
    assert (await post_call_status(door, ended("asked"))).status == 204
    assert len([a for a in door.journal.actions() if a.kind in ENDS]) == 3


ENDS = {"hung-up-at-pin", "left-lobby"}


# ---- what callers hear: the door on the simulator's voice path -----------------------------


class Line:
    """The console's core answering the simulator's number: placed calls walk the door, and
    GET /_sim/calls/{CallSid} says what each caller heard and keyed."""

    def __init__(self, sim: Simulator, core: Core) -> None:
        self.sim = sim
        self.core = core

    def call(self, number: str, *digits: str) -> str:
        return self.sim.place_call(number, LINE_NUMBER, digits).sid

    async def record(self, call_sid: str) -> dict[str, Any]:
        return await call_record(self.sim.base_url, call_sid)

    async def said(self, call_sid: str) -> list[str]:
        return said(await self.record(call_sid))

    async def until(self, check: Callable[[], Awaitable[bool]], what: str) -> None:
        await poll_until(check, what, interval=0.02)


@pytest.fixture
async def line(tmp_path: Path, media: Media) -> AsyncIterator[Line]:
    sim = Simulator(speed=50.0)
    await sim.start()
    try:
        config = CoreConfig(
            data_dir=tmp_path,
            credentials=Credentials(sim.account_sid, sim.auth_token),
            api_base_url=sim.base_url,
            control_options={"fetch_numbers": False},
            door=Door(book=AddressBook().with_name(ALICE, "Alice")),
        )
        async with open_core(config) as core:
            core.server.hold_music_url = media.url("hold.mp3")  # a static host: POST is 405
            # as connect-number points it: calls here, and each call's end to the console
            sim.set_voice_url(
                LINE_NUMBER, core.server.voice_url, status_callback=core.server.call_status_url
            )
            yield Line(sim, core)
    finally:
        await sim.stop()


async def status_is(line: Line, call_sid: str, status: str) -> bool:
    return str((await line.record(call_sid))["status"]) == status


async def test_callers_hear_the_pin_prompt_a_wrong_pin_and_the_refusal(line: Line) -> None:
    line.core.door.update(pin_hash=hash_pin("2468"))
    wrong = line.call(STRANGER, "#", "1111#", "2222#")  # # alone counts as a wrong PIN
    await line.until(lambda: status_is(line, wrong, "completed"), "the stranger hung up")
    record = await line.record(wrong)
    assert record["keyed"] == ["#", "1111#", "2222#"]
    assert await line.said(wrong) == [
        ASK_PIN,
        f"{WRONG_PIN} {ASK_PIN}",
        f"{WRONG_PIN} {ASK_PIN}",
        TOO_MANY_ATTEMPTS,
    ]
    right = line.call(ALICE, "2468#")
    await line.until(lambda: line_in_conference(line, right), "Alice in the meeting")
    assert (await line.record(right))["conference"]["friendly_name"] == "TeamMeeting"


async def line_in_conference(line: Line, call_sid: str) -> bool:
    return (await line.record(call_sid))["conference"] is not None


async def test_a_locked_meeting_tells_the_caller(line: Line) -> None:
    line.core.door.update(locked=True)
    call = line.call(STRANGER)
    await line.until(lambda: status_is(line, call, "completed"), "the caller turned away")
    assert await line.said(call) == [LOCKED]
    assert (await line.record(call))["conference"] is None


async def test_waiting_callers_hear_the_hold_music_then_are_admitted_or_told_it_ended(
    line: Line, media: Media
) -> None:
    line.core.door.update(waiting_room=True)
    service = line.core.door_service
    assert service is not None
    alice, stranger = line.call(ALICE), line.call(STRANGER)
    await line.until(lambda: _waiting(service, 2), "two callers waiting")
    for sid in (alice, stranger):
        await line.until(lambda s=sid: _heard_kinds(line, s, 2), "the wait music")  # type: ignore[misc]
        record = await line.record(sid)
        assert record["heard"] == [
            {"kind": "say", "text": PLEASE_WAIT},
            {"kind": "music", "url": media.url("hold.mp3")},  # fetched with GET
        ]
        assert record["conference"]["friendly_name"] == "TeamMeeting-lobby"
    assert line.sim.voice.debugger == []
    assert (await service.admit(alice)).ok
    await line.until(lambda: _in(line, alice, "TeamMeeting"), "Alice admitted")
    main = service.main_conference()
    assert main is not None and line.core.moderator is not None
    moderator = line.core.moderator
    results = await service.end_meeting(lambda: moderator.end_conference(main.sid))
    assert all(r.ok for r in results)
    await line.until(lambda: status_is(line, stranger, "completed"), "the waiting caller told")
    assert (await line.said(stranger))[-1] == MEETING_OVER
    await line.until(lambda: status_is(line, alice, "completed"), "Alice's call ended")
    assert (await line.record(alice))["conference"] is None


async def _waiting(service: Any, count: int) -> bool:
    return len(service.waiting()) == count


async def _heard_kinds(line: Line, call_sid: str, count: int) -> bool:
    return len((await line.record(call_sid))["heard"]) >= count


async def _in(line: Line, call_sid: str, name: str) -> bool:
    where = (await line.record(call_sid))["conference"]
    return where is not None and where["friendly_name"] == name


async def test_a_caller_who_hangs_up_at_the_pin_prompt_or_in_the_waiting_room_is_told(
    line: Line,
) -> None:
    """The simulator sends the number's StatusCallback at each call's end, as Twilio does."""
    door = line.core.voice_door
    assert door is not None
    seen: list[DoorEntry] = []
    door.entries.connect(seen.append)
    line.core.door.update(pin_hash=hash_pin("2468"))

    def hang_up_when_asked(entry: DoorEntry) -> None:
        if entry.kind == "ask-pin":  # the caller hangs up as the prompt starts
            asyncio.get_running_loop().create_task(line.sim.hang_up(entry.call_sid))

    door.entries.connect(hang_up_when_asked)
    asked = line.call(STRANGER)
    await line.until(lambda: _told(seen, asked, "hung-up-at-pin"), "the hang-up told")
    door.entries.disconnect(hang_up_when_asked)
    line.core.door.update(pin_hash="", waiting_room=True)
    waiting = line.call(STRANGER)
    await line.until(lambda: _told(seen, waiting, "wait"), "the caller waiting")
    await line.sim.hang_up(waiting)
    await line.until(lambda: _told(seen, waiting, "left-lobby"), "the leaving told")
    assert [e.text for e in seen if e.kind in ENDS] == [
        f"{STRANGER} hung up at the PIN prompt",
        f"{STRANGER} left the waiting room (hung up)",
    ]


async def _told(seen: list[DoorEntry], call: str, kind: str) -> bool:
    return any(e.call_sid == call and e.kind == kind for e in seen)
