"""The setup steps for one running console: what the assistant, the readiness checks and the
tunnel started with the console call. Owns the built-in tunnel while the console runs."""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from types import ModuleType

from twilio.rest import Client

from moderator.credentials import Credentials
from moderator.messages import Level, Sink
from moderator.setup.account import AccountInfo, check_account
from moderator.setup.client import DEFAULT_TIMEOUT, setup_client
from moderator.setup.errors import SetupError
from moderator.setup.hold_music import check_hold_music
from moderator.setup.ngrok_agent import AGENT_API, detect_ngrok_agent
from moderator.setup.ngrok_tunnel import NgrokTunnel
from moderator.setup.numbers import (
    PhoneNumber,
    VoiceUrlChange,
    connect_number,
    connected_numbers,
    ends_told_here,
    find_number,
    list_numbers,
    points_here,
    restore_number,
    voice_url_for,
)
from moderator.setup.public_url import VERIFY_TIMEOUT, verify_reaches_console
from moderator.setup.readiness import Check, Readiness
from moderator.store.journal import Journal

log = logging.getLogger(__name__)


@dataclass
class SetupContext:
    """Where this console runs: its local port and instance nonce, its journal, Twilio's URL."""

    local_port: int
    instance: str
    journal: Journal | None = None
    api_base_url: str | None = None  # None: api.twilio.com
    agent_api_url: str = AGENT_API
    timeout: float = DEFAULT_TIMEOUT
    verify_timeout: float = VERIFY_TIMEOUT
    ngrok_sdk: ModuleType | None = None  # None: `import ngrok` when a tunnel starts


class SetupService:
    """Async setup steps; every failure is a SetupError with a one-line reason."""

    def __init__(self, context: SetupContext, notify: Sink | None = None) -> None:
        self.context = context
        self._notify = notify or (lambda level, text: None)
        self.tunnel = NgrokTunnel(context.ngrok_sdk)

    # ---- credentials -----------------------------------------------------------------------

    async def check_credentials(self, credentials: Credentials) -> AccountInfo:
        return await check_account(
            credentials, api_base_url=self.context.api_base_url, timeout=self.context.timeout
        )

    # ---- public URL ------------------------------------------------------------------------

    async def detect_agent(self) -> str:
        return await detect_ngrok_agent(self.context.local_port, api_url=self.context.agent_api_url)

    async def start_tunnel(self, authtoken: str) -> str:
        """(Re)start the built-in tunnel; it runs until stop_tunnel() or the console stops."""
        await self.tunnel.stop()
        return await self.tunnel.start(self.context.local_port, authtoken)

    async def stop_tunnel(self) -> None:
        await self.tunnel.stop()

    async def verify(self, public_url: str) -> None:
        await verify_reaches_console(
            public_url, self.context.instance, timeout=self.context.verify_timeout
        )

    # ---- phone numbers ---------------------------------------------------------------------

    async def numbers(self, credentials: Credentials) -> list[PhoneNumber]:
        async with self._client(credentials) as client:
            return await list_numbers(client)

    async def connect(
        self, credentials: Credentials, number: PhoneNumber, public_url: str
    ) -> VoiceUrlChange:
        async with self._client(credentials) as client:
            return await connect_number(client, number, public_url, self.context.journal)

    async def restore(self, credentials: Credentials, number: PhoneNumber) -> VoiceUrlChange:
        journal = self._journal()
        async with self._client(credentials) as client:
            return await restore_number(client, number, journal)

    async def repoint(self, credentials: Credentials, public_url: str) -> list[VoiceUrlChange]:
        """Numbers connected earlier whose Voice URL is not {public_url}/twilio/voice (or whose
        StatusCallback is not {public_url}/twilio/call-status) are pointed there (a new tunnel
        start gave a new URL); each change is journaled."""
        journal = self.context.journal
        if journal is None:
            return []
        changes = []
        async with self._client(credentials) as client:
            for sid, _e164 in connected_numbers(journal):
                number = await find_number(client, sid)
                if not (points_here(number, public_url) and ends_told_here(number, public_url)):
                    changes.append(await connect_number(client, number, public_url, journal))
        for change in changes:
            log.info(
                "re-pointed %s: %s → %s",
                change.number.phone_number,
                change.old_voice_url,
                change.new_voice_url,
            )
            self._notify(
                Level.INFO, f"{change.number.phone_number} now calls {change.new_voice_url}"
            )
        return changes

    # ---- readiness -------------------------------------------------------------------------

    async def readiness(
        self, credentials: Credentials, public_url: str | None, hold_music_url: str = ""
    ) -> Readiness:
        """Check the three links and whether the hold music plays; never raises (each failure
        is that line's detail)."""
        try:
            account = await self.check_credentials(credentials)
            twilio = Check(True, f"Account {account.summary()}")
        except SetupError as exc:
            twilio = Check(False, str(exc))
        if not public_url:
            tunnel = Check(False, "no public URL: Twilio cannot reach a console on 127.0.0.1")
        else:
            try:
                await self.verify(public_url)
                tunnel = Check(True, f"{public_url} reaches this console")
            except SetupError as exc:
                tunnel = Check(False, str(exc))
        number = await self._number_check(credentials, public_url, twilio.ok is True)
        music = await check_hold_music(hold_music_url, timeout=self.context.timeout)
        return Readiness(twilio, tunnel, number, checked=True, music=music)

    async def _number_check(
        self, credentials: Credentials, public_url: str | None, twilio_ok: bool
    ) -> Check:
        journal = self.context.journal
        connected = connected_numbers(journal) if journal is not None else []
        if not connected:
            return Check(None, "no number connected here (own TwiML or Studio flow, or none yet)")
        if not twilio_ok:
            return Check(None, "cannot check the number without working credentials")
        wanted = voice_url_for(public_url) if public_url else "this console's public URL"
        try:
            async with self._client(credentials) as client:
                numbers = [await find_number(client, sid) for sid, _ in connected]
        except SetupError as exc:
            return Check(False, str(exc))
        wrong = [n for n in numbers if not public_url or not points_here(n, public_url)]
        if wrong:
            first = wrong[0]
            return Check(
                False,
                f"{first.phone_number} calls {first.voice_url or 'nothing'}, not {wanted}",
            )
        return Check(True, ", ".join(n.phone_number for n in numbers) + f" → {wanted}")

    # ---- plumbing --------------------------------------------------------------------------

    def _client(self, credentials: Credentials) -> AbstractAsyncContextManager[Client]:
        return setup_client(
            credentials, api_base_url=self.context.api_base_url, timeout=self.context.timeout
        )

    def _journal(self) -> Journal:
        if self.context.journal is None:
            raise SetupError("no journal: the old Voice URL cannot be kept or restored")
        return self.context.journal
