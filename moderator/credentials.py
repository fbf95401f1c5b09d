"""Twilio credentials: environment, settings and OS keyring, shown without leaking them."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Credentials:
    """Account SID and Auth Token (the token also verifies callbacks); optional API key."""

    account_sid: str | None = None
    auth_token: str | None = field(default=None, repr=False)  # never in a log line or traceback
    api_key: str | None = None
    api_secret: str | None = field(default=None, repr=False)

    @property
    def can_call_rest(self) -> bool:
        return bool(self.account_sid and (self.auth_token or (self.api_key and self.api_secret)))


ENV_ACCOUNT_SID = "TWILIO_ACCOUNT_SID"
ENV_AUTH_TOKEN = "TWILIO_AUTH_TOKEN"
ENV_API_KEY = "TWILIO_API_KEY"
ENV_API_SECRET = "TWILIO_API_SECRET"


def from_environment(env: Mapping[str, str] | None = None) -> Credentials:
    """Credentials from TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN (and TWILIO_API_KEY/SECRET)."""
    env = os.environ if env is None else env
    return Credentials(
        account_sid=env.get(ENV_ACCOUNT_SID) or None,
        auth_token=env.get(ENV_AUTH_TOKEN) or None,
        api_key=env.get(ENV_API_KEY) or None,
        api_secret=env.get(ENV_API_SECRET) or None,
    )


# ---- the OS keyring ---------------------------------------------------------------------------
# Secrets (auth token, API secret) live in the OS keyring under one service name; the account
# SID and API key are not secret and live in the settings. Environment variables win over both,
# so a CI job or a shell export never gets silently overridden by an old keyring entry.

KEYRING_SERVICE = "twilio-moderator"
AUTH_TOKEN_ENTRY = "auth-token"
API_SECRET_ENTRY = "api-secret"


class SecretStoreError(Exception):
    """The keyring could not store or read a secret (one-line message for the user)."""


def _keyring() -> Any:
    import keyring  # imported late: its backend discovery is slow and tests swap the backend

    return keyring


def read_secret(entry: str) -> str | None:
    """A secret from the keyring, or None when absent or when no keyring is available."""
    keyring = _keyring()
    try:
        return keyring.get_password(KEYRING_SERVICE, entry) or None
    except keyring.errors.NoKeyringError:  # a machine without one: the environment has to do
        log.debug("no system keyring to read %s from", entry)
        return None
    except Exception as exc:  # any backend failure means "not available", never a crash
        log.warning("could not read %s from the keyring: %s", entry, type(exc).__name__)
        return None


def write_secret(entry: str, value: str | None) -> None:
    """Store `value` (or delete the entry when empty); SecretStoreError when the keyring fails."""
    keyring = _keyring()
    try:
        if value:
            keyring.set_password(KEYRING_SERVICE, entry, value)
        elif keyring.get_password(KEYRING_SERVICE, entry) is not None:
            keyring.delete_password(KEYRING_SERVICE, entry)
    except Exception as exc:
        raise SecretStoreError(
            f"could not save the secret in the system keyring ({keyring_name()}): "
            f"{type(exc).__name__}; set {ENV_AUTH_TOKEN} in the environment instead"
        ) from None


def keyring_name() -> str:
    """The keyring backend's human name, e.g. 'macOS Keyring' or 'SecretService Keyring'."""
    try:
        backend = _keyring().get_keyring()
    except Exception:
        return "no keyring"
    return str(getattr(backend, "name", type(backend).__name__))


def keyring_available() -> bool:
    """False when keyring found no usable backend (it then falls back to one that always fails)."""
    try:
        backend = _keyring().get_keyring()
    except Exception:
        return False
    return not type(backend).__module__.startswith("keyring.backends.fail")


NO_KEYRING = (
    "No system keyring here: the Auth Token is kept for this session only. To keep it, set "
    "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN in the environment before starting the console."
)


def with_session_secrets(loaded: Credentials, auth_token: str, api_secret: str) -> Credentials:
    """`loaded` with the secrets the host just entered where neither the environment nor the
    keyring gave one (no keyring: they live in memory until the console quits)."""
    return replace(
        loaded,
        auth_token=loaded.auth_token or auth_token or None,
        api_secret=loaded.api_secret or api_secret or None,
    )


def where_token_went(env: Mapping[str, str] | None = None) -> str:
    """One sentence telling the user where the auth token is kept (and what overrides it)."""
    env = os.environ if env is None else env
    place = f"the system keyring ({keyring_name()}) under the service '{KEYRING_SERVICE}'"
    if env.get(ENV_AUTH_TOKEN):
        return f"Auth token saved in {place}; {ENV_AUTH_TOKEN} is set and wins while it is."
    return f"Auth token saved in {place}."


def environment_overrides(env: Mapping[str, str] | None = None) -> set[str]:
    """The TWILIO_* variables that are set and therefore win over settings and keyring."""
    env = os.environ if env is None else env
    names = (ENV_ACCOUNT_SID, ENV_AUTH_TOKEN, ENV_API_KEY, ENV_API_SECRET)
    return {name for name in names if env.get(name)}


def load(
    account_sid: str = "", api_key: str = "", env: Mapping[str, str] | None = None
) -> Credentials:
    """Credentials from the environment, else settings (SID, API key) and keyring (secrets)."""
    found = from_environment(env)
    return Credentials(
        account_sid=found.account_sid or account_sid or None,
        auth_token=found.auth_token or read_secret(AUTH_TOKEN_ENTRY),
        api_key=found.api_key or api_key or None,
        api_secret=found.api_secret or read_secret(API_SECRET_ENTRY),
    )
