"""Twilio resource identifiers (SIDs): a two-letter prefix and 32 lowercase hex digits."""

from __future__ import annotations

import random
import re

ACCOUNT = "AC"
CONFERENCE = "CF"
CALL = "CA"
PHONE_NUMBER = "PN"

_SID_RE = re.compile(r"^[A-Z]{2}[0-9a-f]{32}$")


def new_sid(prefix: str, rng: random.Random | None = None) -> str:
    """A fresh SID with `prefix`; pass a seeded `rng` for reproducible SIDs."""
    source = rng if rng is not None else random.SystemRandom()
    return prefix + "".join(f"{source.getrandbits(4):x}" for _ in range(32))


def is_sid(value: str, prefix: str | None = None) -> bool:
    """True when `value` looks like a Twilio SID (with `prefix`, if given)."""
    return bool(_SID_RE.match(value)) and (prefix is None or value.startswith(prefix))
