"""The meeting PIN as the console keeps it: a salted hash (PBKDF2), never the PIN itself."""

from __future__ import annotations

import hashlib
import hmac
import secrets

HASH_NAME = "pbkdf2-sha256"
HASH_ROUNDS = 20_000  # a PIN's few digits are not what the rounds protect; the salt is


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """The PIN's salted hash, as the door keeps it and the journal records it:
    "pbkdf2-sha256$rounds$salt$hash"."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, HASH_ROUNDS)
    return f"{HASH_NAME}${HASH_ROUNDS}${salt.hex()}${digest.hex()}"


def pin_matches(digits: str, pin_hash: str) -> bool:
    """Whether the keyed `digits` are the PIN `pin_hash` was made from (False for a bad hash)."""
    try:
        name, rounds, salt, digest = pin_hash.split("$")
        if name != HASH_NAME:
            return False
        keyed = hashlib.pbkdf2_hmac(
            "sha256", digits.strip().encode(), bytes.fromhex(salt), int(rounds)
        )
    except ValueError:
        return False
    return hmac.compare_digest(keyed.hex(), digest)


def is_pin_hash(text: str) -> bool:
    return text.startswith(HASH_NAME + "$") and text.count("$") == 3
