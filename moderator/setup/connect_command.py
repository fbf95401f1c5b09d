"""`moderator connect-number`: point a number at the console, or put its old Voice URL back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from moderator.credentials import Credentials
from moderator.setup.client import DEFAULT_TIMEOUT, setup_client
from moderator.setup.errors import SetupError
from moderator.setup.numbers import VoiceUrlChange, connect_number, find_number, restore_number
from moderator.store.journal import Journal, JournalError


async def connect_command(
    wanted: str,
    *,
    credentials: Credentials,
    data_dir: Path,
    public_url: str | None,
    restore: bool = False,
    api_base_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    say: Callable[[str], None] = print,
) -> VoiceUrlChange:
    """Connect (or with `restore`, disconnect) the number and say the old and new Voice URL
    (and the call StatusCallback, when it changed).

    The change is journaled in `data_dir`'s journal, which is where --restore finds the old URL.
    """
    if not credentials.can_call_rest:
        raise SetupError(
            "no Twilio credentials: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, "
            "or save them with the console's setup assistant"
        )
    if not restore and not public_url:
        raise SetupError(
            "no public URL: pass --public-url https://… (the tunnel's address) "
            "or set one with the console's setup assistant"
        )
    try:
        journal = Journal.in_dir(data_dir)
    except JournalError as exc:
        raise SetupError(str(exc)) from None
    try:
        async with setup_client(credentials, api_base_url=api_base_url, timeout=timeout) as client:
            number = await find_number(client, wanted)
            if restore:
                change = await restore_number(client, number, journal)
            else:
                assert public_url is not None
                change = await connect_number(client, number, public_url, journal)
    finally:
        journal.close()
    for what, old, new in (
        ("Voice URL", change.old_voice_url, change.new_voice_url),
        ("call status callback", change.old_status_callback, change.new_status_callback),
    ):
        if what == "Voice URL" or old != new:
            say(f"{number.phone_number} {what} was: {old or '(none)'}")
            say(f"{number.phone_number} {what} now: {new or '(none)'}")
    return change
