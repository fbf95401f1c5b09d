"""A short-lived twilio SDK client for one setup step: explicit timeout, no long retries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from twilio.rest import Client

from moderator.control.http import ResilientHttpClient
from moderator.control.retry import RetryPolicy
from moderator.credentials import Credentials
from moderator.setup.errors import SetupError

DEFAULT_TIMEOUT = 10.0  # seconds for one request, connect included


@asynccontextmanager
async def setup_client(
    credentials: Credentials, *, api_base_url: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> AsyncIterator[Client]:
    """An SDK Client for `credentials` whose HTTP session is closed on exit.

    An API key and secret make the REST calls when both are set (as in the console); the
    Account SID is always needed. `api_base_url` points it at a simulator.
    """
    if not credentials.account_sid:
        raise SetupError("no Account SID: enter it (AC followed by 32 hex digits)")
    if not credentials.can_call_rest:
        raise SetupError("no Auth Token (or API key and secret) for this account")
    # One quick retry at most: a host waiting on a wizard page wants an answer, not patience.
    policy = RetryPolicy(attempts=2, total=timeout)
    http = ResilientHttpClient(timeout=timeout, connect_timeout=min(5.0, timeout), policy=policy)
    if credentials.api_key and credentials.api_secret:
        client = Client(
            credentials.api_key, credentials.api_secret, credentials.account_sid, http_client=http
        )
    else:
        client = Client(credentials.account_sid, credentials.auth_token, http_client=http)
    if api_base_url:
        client.region = None  # a region or edge would rewrite the host away from the simulator
        client.edge = None
        client.api.base_url = api_base_url.rstrip("/")
    try:
        yield client
    finally:
        await http.close()
