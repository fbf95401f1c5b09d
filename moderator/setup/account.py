"""Checks a Twilio account's credentials by fetching the Account: its name and type."""

from __future__ import annotations

from dataclasses import dataclass

from moderator.credentials import Credentials
from moderator.setup.client import DEFAULT_TIMEOUT, setup_client
from moderator.setup.errors import SetupError, twilio_failure


@dataclass(frozen=True)
class AccountInfo:
    """What Twilio says about the account the credentials open."""

    sid: str
    friendly_name: str
    type: str  # "Trial" or "Full"
    status: str  # "active", "suspended" or "closed"

    def summary(self) -> str:
        return f"{self.friendly_name} ({self.type} account, {self.status})"


async def check_account(
    credentials: Credentials, *, api_base_url: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> AccountInfo:
    """Fetch the Account the credentials belong to; SetupError says why not.

    20003 (or HTTP 401) is "wrong SID or token"; no answer within `timeout` or no connection
    is "cannot reach Twilio". An account that is not active is refused too: it cannot take calls.
    """
    async with setup_client(credentials, api_base_url=api_base_url, timeout=timeout) as client:
        try:
            account = await client.api.v2010.accounts(credentials.account_sid).fetch_async()
        except Exception as exc:
            raise twilio_failure(exc, subject="account") from None
    info = AccountInfo(
        sid=str(account.sid),
        friendly_name=str(account.friendly_name or account.sid),
        type=str(account.type or "unknown"),
        status=str(account.status or "unknown"),
    )
    if info.status != "active":
        raise SetupError(f"the account {info.friendly_name} is {info.status}: it cannot take calls")
    return info
