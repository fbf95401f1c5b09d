"""The account's phone numbers: list them, point one's Voice URL here, and put the old one back.

Connecting also sets the number's call StatusCallback (IncomingPhoneNumber StatusCallback and
StatusCallbackMethod) to the console's /twilio/call-status, so the end of every call to it is
known, at the PIN prompt and in the waiting room too (domain/call_status.py).

Every change runs through the one action lifecycle (control/actions/lifecycle.py, with the
setup's own client) and is journaled as an account-level action (no conference):
`connect-number` keeps the Voice URL and StatusCallback it replaced, `restore-number` the ones it
put back. The old
values to restore are read from the journal: those of the first `connect-number` since the
number's last `restore-number`, so re-pointing after a new tunnel URL never loses the original.
A connection journaled before the StatusCallback was set leaves it as it is when restored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from twilio.rest import Client

from moderator.control.actions.lifecycle import Action, Lifecycle
from moderator.domain.actions import ActionKind, Target
from moderator.domain.twilio_words import CALL_STATUS_PATH, VOICE_PATH
from moderator.setup.errors import AlreadyRestored, SetupError, twilio_failure
from moderator.store.journal import ActionRecord, Journal

CONNECT, RESTORE = ActionKind.NUMBER_CONNECT, ActionKind.NUMBER_RESTORE
_NOT_DIGITS = re.compile(r"[^\d+]")


@dataclass(frozen=True)
class PhoneNumber:
    """An IncomingPhoneNumber as the setup steps need it."""

    sid: str
    phone_number: str  # E.164
    friendly_name: str
    voice_url: str
    voice_method: str
    status_callback: str = ""
    status_callback_method: str = "POST"

    def label(self) -> str:
        name = f" {self.friendly_name}" if self.friendly_name != self.phone_number else ""
        return f"{self.phone_number}{name}"


@dataclass(frozen=True)
class VoiceUrlChange:
    """A Voice URL change that was made: before and after."""

    number: PhoneNumber
    old_voice_url: str
    new_voice_url: str
    old_status_callback: str = ""
    new_status_callback: str = ""


def voice_url_for(public_url: str) -> str:
    return public_url.rstrip("/") + VOICE_PATH


def status_callback_for(public_url: str) -> str:
    return public_url.rstrip("/") + CALL_STATUS_PATH


@dataclass(frozen=True)
class Handlers:
    """Where a number sends its calls (Voice URL) and their ends (StatusCallback), with the
    methods. A StatusCallback of None is left as it is."""

    voice_url: str
    voice_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"


def _number(item: Any) -> PhoneNumber:
    """From the SDK's IncomingPhoneNumberInstance (untyped)."""
    return PhoneNumber(
        sid=str(item.sid),
        phone_number=str(item.phone_number),
        friendly_name=str(item.friendly_name or ""),
        voice_url=str(item.voice_url or ""),
        voice_method=str(item.voice_method or "POST"),
        status_callback=str(item.status_callback or ""),
        status_callback_method=str(item.status_callback_method or "POST"),
    )


async def list_numbers(client: Client) -> list[PhoneNumber]:
    """Every IncomingPhoneNumber of the account, in Twilio's order."""
    try:
        found = await client.incoming_phone_numbers.list_async(page_size=100)
    except Exception as exc:
        raise twilio_failure(exc, subject="phone number") from None
    return [_number(item) for item in found]


async def find_number(client: Client, wanted: str) -> PhoneNumber:
    """The account's number `wanted` (E.164 with or without spaces, or its PN SID)."""
    key = wanted.strip()
    digits = _NOT_DIGITS.sub("", key)
    for number in await list_numbers(client):
        if key in (number.sid, number.phone_number) or digits == number.phone_number:
            return number
    raise SetupError(f"the account has no phone number {key} (IncomingPhoneNumbers)")


async def _set_handlers(client: Client, number: PhoneNumber, handlers: Handlers) -> PhoneNumber:
    """One IncomingPhoneNumber update; the number as Twilio now has it."""
    fields: dict[str, str] = {
        "voice_url": handlers.voice_url,
        "voice_method": handlers.voice_method,
    }
    if handlers.status_callback is not None:
        fields["status_callback"] = handlers.status_callback
        fields["status_callback_method"] = handlers.status_callback_method
    try:
        updated = await client.incoming_phone_numbers(number.sid).update_async(**fields)
    except Exception as exc:
        raise twilio_failure(exc, subject="phone number") from None
    return _number(updated)


async def _change(
    client: Client,
    number: PhoneNumber,
    kind: ActionKind,
    handlers: Handlers,
    journal: Journal | None,
    **params: str | None,
) -> VoiceUrlChange:
    """Set the number's handlers through the one action lifecycle: recorded, sent with the
    setup's own client, finished (account-level: no conference). A SetupError is raised as
    the step raised it."""
    raised: list[SetupError] = []
    answered: list[PhoneNumber] = []

    async def send(via: Client) -> None:
        try:
            answered.append(await _set_handlers(via, number, handlers))
        except SetupError as exc:
            raised.append(exc)
            raise

    if journal is None:  # nowhere to journal it
        await send(client)
    else:
        action = Action(
            kind,
            Target.account(),
            number.phone_number,
            send,
            params={
                "number": number.phone_number,
                "number_sid": number.sid,
                **{key: value for key, value in params.items() if value is not None},
            },
            pending=False,
            subject="phone number",
        )
        result = await Lifecycle.outside_the_console(journal).run(action, quiet=True, via=client)
        if raised:
            raise raised[0]
        if not result.ok:
            raise SetupError(result.message or f"could not change {number.phone_number}")
    now = answered[0]
    return VoiceUrlChange(
        number, number.voice_url, now.voice_url, number.status_callback, now.status_callback
    )


async def connect_number(
    client: Client, number: PhoneNumber, public_url: str, journal: Journal | None
) -> VoiceUrlChange:
    """Set the number's Voice URL to {public_url}/twilio/voice and its StatusCallback to
    {public_url}/twilio/call-status (both POST), journaled with the values they replace."""
    new = Handlers(voice_url_for(public_url), "POST", status_callback_for(public_url), "POST")
    return await _change(
        client,
        number,
        CONNECT,
        new,
        journal,
        old_voice_url=number.voice_url,
        old_voice_method=number.voice_method,
        new_voice_url=new.voice_url,
        old_status_callback=number.status_callback,
        old_status_callback_method=number.status_callback_method,
        new_status_callback=new.status_callback or "",
    )


def _changes(journal: Journal) -> list[ActionRecord]:
    return [a for a in journal.actions() if a.kind in (CONNECT, RESTORE) and a.ok]


def connected_numbers(journal: Journal) -> list[tuple[str, str]]:
    """(number SID, E.164) of the numbers connected from this data folder and not restored."""
    latest: dict[str, ActionRecord] = {}
    for action in _changes(journal):
        latest[action.params.get("number_sid", "")] = action
    return [
        (sid, action.params.get("number", ""))
        for sid, action in latest.items()
        if sid and action.kind == CONNECT
    ]


def original_handlers(journal: Journal, number: PhoneNumber) -> Handlers | None:
    """What the number had before the console first connected it, or None. A connection
    journaled before the console set the StatusCallback gives None for it (left as it is)."""
    mine = [a for a in _changes(journal) if a.params.get("number_sid") == number.sid]
    since_restore: list[ActionRecord] = []
    for action in mine:
        if action.kind == RESTORE:
            since_restore = []
        else:
            since_restore.append(action)
    if not since_restore:
        return None
    first = since_restore[0].params
    return Handlers(
        first.get("old_voice_url", ""),
        first.get("old_voice_method", "POST") or "POST",
        first.get("old_status_callback"),  # absent: this console never changed it
        first.get("old_status_callback_method", "POST") or "POST",
    )


async def restore_number(client: Client, number: PhoneNumber, journal: Journal) -> VoiceUrlChange:
    """Put back the Voice URL and StatusCallback the number had before the console connected
    it, journaled."""
    original = original_handlers(journal, number)
    mine = [a for a in _changes(journal) if a.params.get("number_sid") == number.sid]
    if original is None and mine and mine[-1].kind == RESTORE:
        raise AlreadyRestored(
            f"{number.phone_number} is already restored: its Voice URL is "
            f"{number.voice_url or '(none)'}, put back on {mine[-1].at:%Y-%m-%d %H:%M} UTC"
        )
    if original is None:
        raise SetupError(
            f"the journal {journal.path} has no earlier Voice URL of {number.phone_number} "
            "to restore (it was not connected from this data folder)"
        )
    restored = (
        {
            "old_status_callback": number.status_callback,
            "new_status_callback": original.status_callback,
        }
        if original.status_callback is not None
        else {}
    )
    return await _change(
        client,
        number,
        RESTORE,
        original,
        journal,
        old_voice_url=number.voice_url,
        new_voice_url=original.voice_url,
        **restored,
    )


def ends_told_here(number: PhoneNumber, public_url: str) -> bool:
    """Its StatusCallback is this console's /twilio/call-status (POST)."""
    return number.status_callback.rstrip("/") == status_callback_for(public_url) and (
        number.status_callback_method.upper() == "POST"
    )


def points_here(number: PhoneNumber, public_url: str) -> bool:
    return number.voice_url.rstrip("/") == voice_url_for(public_url) and (
        number.voice_method.upper() == "POST"
    )
