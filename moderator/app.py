"""The composition root: builds every part in order, runs the Qt + asyncio loop, stops it all."""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
import qasync
from PySide6.QtWidgets import QApplication

from moderator import APP_NAME
from moderator.credentials import Credentials, from_environment
from moderator.domain.roster import Roster
from moderator.server.ingest import CallbackIngest
from moderator.server.signature import SignatureCheck
from moderator.server.webhooks import ServerStartError, WebhookServer, check_port_free
from moderator.signals import SignalWakeup
from moderator.store.journal import Journal, JournalError
from moderator.store.report import rebuild_roster
from moderator.store.writer import CallbackWriter
from moderator.ui.bridge import RosterBridge
from moderator.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def default_data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


@dataclass
class ConsoleOptions:
    """Everything the command line can set for the console."""

    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    data_dir: Path = field(default_factory=default_data_dir)
    twilio_api_url: str | None = None
    quit_after: float | None = None
    screenshot: Path | None = None
    verbose: bool = False
    demo: bool = False
    demo_speed: float = 1.0


class StartupError(Exception):
    """The console cannot start as configured (one-line message, exit status 2)."""


class Console:
    """All the running parts of one console session, started and stopped in a fixed order."""

    def __init__(self, options: ConsoleOptions, credentials: Credentials) -> None:
        self.options = options
        self.credentials = credentials
        self.quit_requested: asyncio.Future[None] | None = None
        self.journal: Journal | None = None
        self.roster = Roster()
        self.server: WebhookServer | None = None
        self.bridge: RosterBridge | None = None
        self.window: MainWindow | None = None

    async def start(self) -> None:
        """Journal → roster (replayed) → webhook server → window. StartupError on a user mistake."""
        loop = asyncio.get_running_loop()
        self.quit_requested = loop.create_future()
        try:
            self.journal = Journal.in_dir(self.options.data_dir)
        except JournalError as exc:
            raise StartupError(str(exc)) from None
        self.roster = rebuild_roster(self.journal)
        log.info(
            "journal %s: %d callbacks replayed, %d conferences",
            self.journal.path,
            self.journal.callback_count(),
            len(self.roster.conferences()),
        )
        self.bridge = RosterBridge(self.roster)
        ingest = CallbackIngest(CallbackWriter(self.journal), self.roster)
        ingest.listeners.append(self.bridge.on_event)
        signature = SignatureCheck(lambda: self.credentials.auth_token, self.options.public_url)
        self.server = WebhookServer(
            ingest, signature, host=self.options.host, port=self.options.port
        )
        try:
            await self.server.start()
        except ServerStartError as exc:
            raise StartupError(str(exc)) from None
        self.window = MainWindow(self.bridge)
        self.window.close_requested.connect(self.request_quit)
        self.window.set_listening(f"Webhooks: {self.server.callback_url}")
        self.window.show()
        if not self.credentials.auth_token:
            self.bridge.message.emit(
                "error",
                "No Twilio auth token: set TWILIO_AUTH_TOKEN (or enter it in Settings); "
                "until then callbacks are rejected",
            )
            log.warning("no auth token: set TWILIO_AUTH_TOKEN; callbacks are rejected until then")
        if self.options.quit_after is not None:
            loop.call_later(self.options.quit_after, self.request_quit)

    def request_quit(self) -> None:
        """The one way to ask for shutdown: window close, --quit-after, signals, menu."""
        if self.quit_requested is not None and not self.quit_requested.done():
            self.quit_requested.set_result(None)

    async def run(self) -> None:
        """Start, wait until asked to quit, stop."""
        try:
            await self.start()
            assert self.quit_requested is not None
            await self.quit_requested
            self.save_screenshot()
        finally:
            await self.stop()

    def save_screenshot(self) -> None:
        path = self.options.screenshot
        if path is None or self.window is None:
            return
        QApplication.processEvents()
        if self.window.grab().save(str(path)):
            log.info("screenshot saved to %s", path)
        else:
            log.error("could not save the screenshot to %s", path)

    async def stop(self) -> None:
        """Reverse order of start; safe to call after a partial start."""
        if self.window is not None:
            self.window.hide()
        if self.server is not None:
            await self.server.stop()
        if self.bridge is not None:
            self.bridge.detach()
        if self.journal is not None:
            self.journal.close()
            self.journal = None
        log.info("console stopped")


def run_console(options: ConsoleOptions) -> int:
    """Run the console until it is asked to quit. 0 on a normal quit, 2 on a start-up mistake."""
    try:
        check_port_free(options.host, options.port)
    except ServerStartError as exc:
        print(f"moderator: error: {exc}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setQuitOnLastWindowClosed(False)  # Console.run decides when to quit, after cleanup
    console = Console(options, from_environment())
    wakeup = SignalWakeup(lambda signum: console.request_quit())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    app.aboutToQuit.connect(console.request_quit)
    try:
        loop.run_until_complete(console.run())
    except StartupError as exc:
        print(f"moderator: error: {exc}", file=sys.stderr)
        return 2
    finally:
        wakeup.close()
        _close_loop(loop)
    return 0


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel leftovers and close the loop so nothing is torn down at interpreter exit."""
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    asyncio.set_event_loop(None)
    loop.close()
