"""The twilio SDK client's lifecycle: built inside the loop, rebuilt on new settings, closed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from twilio.rest import Client

from moderator.control.errors import NotConfigured
from moderator.control.http import ResilientHttpClient
from moderator.control.limiter import MAX_IN_FLIGHT, AdaptiveLimit
from moderator.control.retry import RetryPolicy
from moderator.control.status import ConnectionState, TwilioStatus, status_for
from moderator.credentials import Credentials
from moderator.settings import Settings

log = logging.getLogger(__name__)


class TwilioRest:
    """Owns one SDK Client (and its HTTP session) for the running loop.

    A settings or credentials change retires the current client: it is closed once its
    in-flight requests finish, and the next call builds a fresh one.
    """

    def __init__(
        self,
        credentials: Credentials,
        settings: Settings,
        *,
        api_base_url: str | None = None,
        policy: RetryPolicy | None = None,
        on_state: Callable[[TwilioStatus], None] | None = None,
    ) -> None:
        self.credentials = credentials
        self.settings = settings
        self.api_base_url = api_base_url.rstrip("/") if api_base_url else None
        self.policy = policy or RetryPolicy()
        self.on_state = on_state
        self.status = _untested(credentials)
        self._client: Client | None = None
        self.limit = AdaptiveLimit(max(1, min(MAX_IN_FLIGHT, settings.rest_concurrency)))
        self._http: ResilientHttpClient | None = None
        self._retiring: set[asyncio.Task[None]] = set()
        self._retired: set[ResilientHttpClient] = set()
        self._closed = False
        self.requests = 0  # attempts sent by clients already retired, plus the current one's
        self.retries = 0

    @property
    def configured(self) -> bool:
        return self.credentials.can_call_rest

    def client(self) -> Client:
        """The SDK client, built on first use inside the loop; NotConfigured without creds."""
        if self._closed:
            raise NotConfigured("the console is shutting down")
        if not self.credentials.can_call_rest:
            raise NotConfigured("no Twilio credentials are configured")
        if self._client is None:
            asyncio.get_running_loop()  # fail loudly if called outside the loop
            # Every request of this client, whoever sends it, shares one window (Twilio limits
            # the account's concurrent requests, not the bulk's).
            self.limit = AdaptiveLimit(max(1, min(MAX_IN_FLIGHT, self.settings.rest_concurrency)))
            self._http = ResilientHttpClient(
                timeout=self.settings.rest_timeout,
                connect_timeout=min(5.0, self.settings.rest_timeout),
                policy=self.policy,
                limit=self.limit,
                on_outcome=self._outcome,
            )
            creds = self.credentials
            if creds.api_key and creds.api_secret:
                client = Client(
                    creds.api_key, creds.api_secret, creds.account_sid, http_client=self._http
                )
            else:
                client = Client(creds.account_sid, creds.auth_token, http_client=self._http)
            if self.api_base_url:
                # A region or edge would rewrite the host away from the simulator.
                client.region = None
                client.edge = None
                client.api.base_url = self.api_base_url
            self._client = client
            log.info(
                "Twilio REST client ready for account %s at %s (timeout %.1f s)",
                creds.account_sid,
                self.api_base_url or "api.twilio.com",
                self.settings.rest_timeout,
            )
        return self._client

    def reconfigure(self, credentials: Credentials, settings: Settings) -> None:
        """New credentials or settings take effect for the next call."""
        changed_creds = credentials != self.credentials
        changed_http = (
            settings.rest_timeout != self.settings.rest_timeout
            or settings.rest_concurrency != self.settings.rest_concurrency
        )
        self.credentials = credentials
        self.settings = settings
        if changed_creds or changed_http:
            self._retire()
        if changed_creds:
            self._set_status(_untested(credentials))

    def _retire(self) -> None:
        http, self._http, self._client = self._http, None, None
        if http is None:
            return
        self.requests += http.requests
        self.retries += http.retries

        self._retired.add(http)

        async def close_when_idle() -> None:
            await http.wait_idle()
            await http.close()
            self._retired.discard(http)

        task = asyncio.get_running_loop().create_task(close_when_idle())
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def close(self) -> None:
        """Close the current and any retiring HTTP session. Idempotent."""
        self._closed = True
        for task in list(self._retiring):
            task.cancel()
        await asyncio.gather(*self._retiring, return_exceptions=True)
        http, self._http, self._client = self._http, None, None
        for old in [*self._retired, *([http] if http is not None else [])]:
            await old.close()
        self._retired.clear()

    def total_requests(self) -> int:
        return self.requests + (self._http.requests if self._http else 0)

    @property
    def state(self) -> ConnectionState:
        return self.status.state

    def _outcome(self, http_status: int | None) -> None:
        self._set_status(status_for(http_status))

    def _set_status(self, status: TwilioStatus) -> None:
        if status != self.status:
            log.info("Twilio connection: %s %s", status.state.value, status.reason)
            self.status = status
            if self.on_state is not None:
                self.on_state(status)


def _untested(credentials: Credentials) -> TwilioStatus:
    """Before any request: no credentials, or not checked yet."""
    if not credentials.can_call_rest:
        return TwilioStatus(ConnectionState.NOT_CONFIGURED)
    return TwilioStatus(ConnectionState.UNKNOWN)
