"""What Twilio refuses when a participant is dialled out: the To, From and Label checks."""

from __future__ import annotations

import re
from collections.abc import Collection

from moderator.domain.sids import CALL, is_sid
from moderator.sim.errors import (
    FROM_NOT_VERIFIED,
    INVALID_LABEL,
    INVALID_TO,
    SimError,
)

# E.164; a North American (+1) number has exactly ten digits after the country code
E164 = re.compile(r"^\+(1[2-9][0-9]{9}|[2-9][0-9]{6,14})$")
MAX_LABEL = 128


def check_to(to: str) -> None:
    """An E.164 number, a `client:` identity or a `sip:` address; else 21211."""
    if E164.match(to) or (to.startswith(("client:", "sip:")) and len(to) > len("sip:")):
        return
    raise SimError(400, INVALID_TO, f"The 'To' number {to} is not a valid phone number.")


def check_from(from_: str, owned: Collection[str]) -> None:
    """A number of the account (bought or verified caller ID); else 21210."""
    if from_ in owned:
        return
    raise SimError(
        400,
        FROM_NOT_VERIFIED,
        f"The source phone number provided, {from_}, is not yet verified for your account. "
        "You may only make calls from phone numbers that you've verified or purchased from Twilio.",
    )


def check_label(label: str) -> None:
    """At most 128 characters, not shaped like a CallSid, no '/' (also not as %2F); else 16024."""
    slash = "/" in label or "%2f" in label.lower()
    if len(label) <= MAX_LABEL and not is_sid(label, CALL) and not slash:
        return
    raise SimError(
        400,
        INVALID_LABEL,
        "Invalid participant label, must not exceed 128 characters, must not be a CallSid, "
        "must not contain '/'",
    )
