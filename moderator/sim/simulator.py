"""The Simulator: the Engine served as Twilio's REST API, plus scenarios played against it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from moderator.sim import rest_phone, rest_recordings, rest_transcriptions
from moderator.sim.engine import Engine
from moderator.sim.rest import build_app
from moderator.sim.scenarios import build_scenario

log = logging.getLogger(__name__)


class Simulator(Engine):
    """An embedded Twilio: conference REST API + signed status callbacks + scenarios.

    Times inside scenarios, ringing and announcements are divided by `speed`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._scenarios: set[asyncio.Task[Any]] = set()
        self._stopped = False

    @property
    def base_url(self) -> str:
        """`http://HOST:PORT` once started; set `client.api.base_url` to it."""
        if self._base_url is None:
            raise RuntimeError("simulator not started")
        return self._base_url

    # ----- lifecycle -----------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve the REST API; returns the base URL."""
        if self._runner is not None:
            return self.base_url
        await self.dispatcher.start()
        app = build_app(self)
        rest_phone.add_routes(app)
        rest_recordings.add_routes(app)
        rest_transcriptions.add_routes(app)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            await self.dispatcher.close()
            raise
        self._runner = runner
        bound = runner.addresses[0][1]
        shown = f"[{host}]" if ":" in host else host
        self._base_url = f"http://{shown}:{bound}"
        log.info("Twilio simulator listening on %s (account %s)", self._base_url, self.account_sid)
        return self._base_url

    async def stop(self) -> None:
        """Cancel scenarios and deliveries, close the session and the server; idempotent."""
        if self._stopped:
            return
        self._stopped = True
        scenarios = list(self._scenarios)
        for task in scenarios:
            task.cancel()
        await asyncio.gather(*scenarios, return_exceptions=True)
        await self.dispatcher.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ----- scenarios -----------------------------------------------------------------------
    def start_scenario(self, name: str, callback_url: str, **options: Any) -> asyncio.Task[str]:
        """Run "team-meeting" or "large" (count=N) as a cancellable task; its result is the CF sid.

        Raises ValueError at once for an unknown name or bad option.
        """
        coro = build_scenario(self, name, callback_url, **options)
        task: asyncio.Task[str] = asyncio.get_running_loop().create_task(coro)
        self._scenarios.add(task)
        task.add_done_callback(self._scenarios.discard)
        return task
