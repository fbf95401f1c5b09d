"""requests.py is where each action becomes its REST call: checked with a recording client."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from moderator.control.requests import (
    announce_call,
    dial_out_call,
    end_conference_call,
    participant_call,
)
from moderator.domain.actions import ActionKind
from moderator.domain.twilio_words import EVENT_WORDS

CF, CA = "CF" + "1" * 32, "CA" + "2" * 32


class Recorder:
    """Stands in for twilio's Client: records the resource path and the final call."""

    def __init__(self) -> None:
        self.path: list[tuple[str, ...]] = []
        self.sent: tuple[str, dict[str, Any]] | None = None

    def conferences(self, sid: str) -> Recorder:
        self.path.append(("conferences", sid))
        return self

    @property
    def participants(self) -> Any:
        recorder = self

        class Participants:
            def __call__(self, sid: str) -> Recorder:
                recorder.path.append(("participants", sid))
                return recorder

            async def create_async(self, **kwargs: Any) -> str:
                recorder.path.append(("participants",))
                recorder.sent = ("create", kwargs)
                return "created"

        return Participants()

    async def update_async(self, **kwargs: Any) -> str:
        self.sent = ("update", kwargs)
        return "updated"

    async def delete_async(self) -> bool:
        self.sent = ("delete", {})
        return True


def sent(call: Any) -> Recorder:
    client = Recorder()
    asyncio.run(call.send(client))
    return client


@pytest.mark.parametrize(
    ("kind", "fields", "params"),
    [
        (ActionKind.MUTE, {"muted": True}, {"muted": "true"}),
        (ActionKind.UNMUTE, {"muted": False}, {"muted": "false"}),
        (ActionKind.HOLD, {"hold": True}, {"hold": "true"}),
        (ActionKind.UNHOLD, {"hold": False}, {"hold": "false"}),
    ],
)
def test_participant_updates(kind: ActionKind, fields: dict[str, Any], params: Any) -> None:
    call = participant_call(kind, CF, CA)
    client = sent(call)
    assert client.path == [("conferences", CF), ("participants", CA)]
    assert client.sent == ("update", fields)
    assert call.params == params


def test_hold_with_music_and_kick() -> None:
    call = participant_call(ActionKind.HOLD, CF, CA, hold_url="https://example.com/m.mp3")
    assert sent(call).sent == ("update", {"hold": True, "hold_url": "https://example.com/m.mp3"})
    assert call.params == {"hold": "true", "hold_url": "https://example.com/m.mp3"}
    assert sent(participant_call(ActionKind.KICK, CF, CA)).sent == ("delete", {})
    with pytest.raises(ValueError, match="not a participant action"):
        participant_call(ActionKind.END_CONFERENCE, CF, CA)


def test_conference_calls() -> None:
    end = end_conference_call(CF)
    assert sent(end).sent == ("update", {"status": "completed"})
    everyone = sent(announce_call(CF, "https://example.com/a.xml"))
    assert everyone.path == [("conferences", CF)]
    assert everyone.sent == (
        "update",
        {"announce_url": "https://example.com/a.xml", "announce_method": "GET"},
    )
    one = sent(announce_call(CF, "https://example.com/a.xml", CA))
    assert one.path == [("conferences", CF), ("participants", CA)]


def test_dial_out_subscribes_to_every_event() -> None:
    call = dial_out_call(
        CF, "+15005550006", "+15005550001", label="Dana", status_callback_url="https://cb"
    )
    client = sent(call)
    assert client.sent == (
        "create",
        {
            "from_": "+15005550001",
            "to": "+15005550006",
            "start_conference_on_enter": False,
            "end_conference_on_exit": False,
            "label": "Dana",
            "conference_status_callback": "https://cb",
            "conference_status_callback_event": list(EVENT_WORDS),
        },
    )
    assert call.params == {"to": "+15005550006", "from": "+15005550001", "label": "Dana"}
