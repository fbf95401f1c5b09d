"""Twilio credentials: where they come from, and how they are shown without leaking them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field


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
