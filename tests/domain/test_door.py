"""The door's decisions: PIN, lock, waiting room, "always admit"; and its TwiML."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from moderator.domain import door_twiml
from moderator.domain.address_book import AddressBook
from moderator.domain.door import (
    LOCKED,
    MAX_PIN_ATTEMPTS,
    Door,
    DoorSettings,
    Verdict,
    admission,
    is_lobby,
    lobby_name,
    on_arrival,
    on_pin,
)
from moderator.domain.host_state import hash_pin

ALICE = "+14155550101"
STRANGER = "+14155550199"
BOOK = AddressBook().with_name(ALICE, "Alice").with_always_admit(ALICE, True)


@pytest.mark.parametrize(
    ("settings", "number", "verdict"),
    [
        (DoorSettings(), STRANGER, Verdict.JOIN),
        (DoorSettings(locked=True), STRANGER, Verdict.LOCKED_OUT),
        (DoorSettings(locked=True), ALICE, Verdict.JOIN),
        (DoorSettings(waiting_room=True), STRANGER, Verdict.WAIT),
        (DoorSettings(waiting_room=True), ALICE, Verdict.JOIN),
        # locked with the waiting room on: they wait instead of being turned away
        (DoorSettings(locked=True, waiting_room=True), STRANGER, Verdict.WAIT),
    ],
)
def test_admission(settings: DoorSettings, number: str, verdict: Verdict) -> None:
    assert on_arrival(settings, BOOK, number).verdict is verdict
    assert admission(settings, BOOK, number).verdict is verdict


def test_locked_out_hears_why() -> None:
    assert on_arrival(DoorSettings(locked=True), BOOK, STRANGER).say == LOCKED


def test_pin_is_asked_first_even_of_always_admit_callers() -> None:
    settings = DoorSettings(pin_hash=hash_pin("4321"), locked=True)
    for number in (ALICE, STRANGER):
        decision = on_arrival(settings, BOOK, number)
        assert (decision.verdict, decision.attempt) == (Verdict.ASK_PIN, 1)
    # right PIN: then the lock applies (Alice is let in, the stranger turned away)
    assert on_pin(settings, BOOK, ALICE, "4321", 1).verdict is Verdict.JOIN
    assert on_pin(settings, BOOK, STRANGER, "4321", 2).verdict is Verdict.LOCKED_OUT


def test_three_wrong_pins_hang_up() -> None:
    settings = DoorSettings(pin_hash=hash_pin("4321"))
    first = on_pin(settings, BOOK, STRANGER, "1111", 1)
    assert (first.verdict, first.attempt) == (Verdict.WRONG_PIN, 2)
    second = on_pin(settings, BOOK, STRANGER, "", 2)
    assert (second.verdict, second.attempt) == (Verdict.WRONG_PIN, 3)
    third = on_pin(settings, BOOK, STRANGER, "43210", MAX_PIN_ATTEMPTS)
    assert third.verdict is Verdict.PIN_REFUSED
    assert on_pin(settings, BOOK, STRANGER, " 4321 ", 3).verdict is Verdict.JOIN


def test_lobby_names() -> None:
    assert lobby_name("TeamMeeting") == "TeamMeeting-lobby"
    assert is_lobby("TeamMeeting-lobby") and not is_lobby("TeamMeeting")


def test_door_tells_listeners_of_real_changes_only() -> None:
    door = Door()
    heard: list[DoorSettings] = []
    door.changed.connect(lambda settings, _book: heard.append(settings))
    door.update(locked=True)
    door.update(locked=True)
    door.set_book(BOOK)
    door.set_book(BOOK)
    assert [s.locked for s in heard] == [True, True]
    assert door.book.name_of("+1 (415) 555-0101") == "Alice"


def _parse(twiml: str) -> ElementTree.Element:
    return ElementTree.fromstring(twiml.split("?>", 1)[1])


def test_pin_prompt_twiml() -> None:
    root = _parse(door_twiml.ask_pin("https://x.example/twilio/voice/pin?attempt=2", "PIN?"))
    gather = root.find("Gather")
    assert gather is not None
    assert gather.get("action") == "https://x.example/twilio/voice/pin?attempt=2"
    assert gather.get("finishOnKey") == "#"
    assert [e.tag for e in root] == ["Gather", "Say", "Hangup"]


def test_lobby_twiml_never_starts_and_plays_music() -> None:
    root = _parse(
        door_twiml.conference(
            "M-lobby", "https://x/cb", say="wait", wait_url="https://m/x.mp3", start_on_enter=False
        )
    )
    conference = root.find("Dial/Conference")
    assert conference is not None and conference.text == "M-lobby"
    assert conference.get("startConferenceOnEnter") == "false"
    assert conference.get("waitUrl") == "https://m/x.mp3"
    assert conference.get("statusCallback") == "https://x/cb"
    assert "join" in (conference.get("statusCallbackEvent") or "")


def test_goodbye_and_announcement() -> None:
    assert [e.tag for e in _parse(door_twiml.goodbye("Bye <now>"))] == ["Say", "Hangup"]
    say = _parse(door_twiml.announcement("Rooms close in one minute")).find("Say")
    assert say is not None and say.text == "Rooms close in one minute"


def test_twiml_leaves_out_what_xml_cannot_hold() -> None:
    """Control characters (pasted into an announcement, a name, a label) made TwiML that Twilio
    could not parse; XML 1.0 has no escape for them, so they are left out."""
    text = "Rooms\x00 close\x1b[31m in\x0b one minute\ud800\ufffe\n"
    assert (
        _parse(door_twiml.announcement(text)).findtext("Say") == "Rooms close[31m in one minute\n"
    )
    room = _parse(door_twiml.conference("Room\x01 1", "https://x/cb", label="Al\x07ice"))
    conference = room.find("Dial/Conference")
    assert conference is not None
    assert (conference.text, conference.get("participantLabel")) == ("Room 1", "Alice")
