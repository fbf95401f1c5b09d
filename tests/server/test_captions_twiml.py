"""The voice route with captions on: each caller's own leg is transcribed from the door's last
step (told so first); a PIN prompt or the waiting room starts nothing."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from moderator.domain.host_state import hash_pin
from moderator.domain.twiml import CAPTIONS_NAME, TRANSCRIBED

from .test_door_routes import ALICE, PUBLIC, STRANGER, Door_, door

__all__ = ["door"]

CALLBACK = PUBLIC + "/twilio/transcription-events"


def _verbs(root: Element) -> list[str]:
    return [verb.tag for verb in root]


def _transcription(root: Element) -> Element | None:
    return root.find("Start/Transcription")


async def test_captions_on_transcribe_the_caller_before_joining(door: Door_) -> None:
    door.server.captions = True
    root = await door.call("/twilio/voice", ALICE)
    assert _verbs(root) == ["Say", "Start", "Dial"]
    assert root[0].text == TRANSCRIBED
    noun = _transcription(root)
    assert noun is not None
    assert noun.attrib == {
        "name": CAPTIONS_NAME,
        "statusCallbackUrl": CALLBACK,
        "statusCallbackMethod": "POST",
        "track": "inbound_track",
        "partialResults": "true",
    }


async def test_captions_off_by_default(door: Door_) -> None:
    root = await door.call("/twilio/voice", ALICE)
    assert _verbs(root) == ["Dial"]
    assert "ranscri" not in str(root.attrib) and _transcription(root) is None


async def test_with_a_pin_only_the_last_step_transcribes(door: Door_) -> None:
    door.server.captions = True
    door.door.update(pin_hash=hash_pin("2468"))
    prompt = await door.call("/twilio/voice", STRANGER)
    assert _transcription(prompt) is None
    wrong = await door.call("/twilio/voice/pin?attempt=1", STRANGER, Digits="1111")
    assert _transcription(wrong) is None
    right = await door.call("/twilio/voice/pin?attempt=2", STRANGER, Digits="2468")
    assert _verbs(right)[-3:] == ["Say", "Start", "Dial"]
    assert _transcription(right) is not None


async def test_the_waiting_room_does_not_transcribe(door: Door_) -> None:
    door.server.captions = True
    door.door.update(waiting_room=True)
    lobby = await door.call("/twilio/voice", STRANGER)
    assert _transcription(lobby) is None
    assert "Dial" in _verbs(lobby)
