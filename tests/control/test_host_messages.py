"""The host's message about an action is redacted once, for every control service."""

from __future__ import annotations

from moderator.control.actions.telling import HostMessages
from moderator.credentials import Credentials
from moderator.messages import Level, Messages

TOKEN = "f" * 32


def test_the_auth_token_never_reaches_the_window() -> None:
    hub = Messages()
    tell = HostMessages(hub.send, lambda: Credentials("AC" + "1" * 32, TOKEN))
    said = tell.error(f"Could not mute Bob: Twilio says {TOKEN} is wrong")
    assert TOKEN not in said
    assert hub.held == [(Level.ERROR, said)]
