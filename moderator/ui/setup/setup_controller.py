"""Joins the setup steps to the running console: the assistant, the built-in tunnel started
with the console, the readiness marks in the status bar and the signature-failure hint."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu

from moderator import credentials
from moderator.credentials import Credentials
from moderator.settings import Settings
from moderator.setup.errors import SetupError
from moderator.setup.ngrok_tunnel import AUTHTOKEN_ENTRY
from moderator.setup.readiness import Check, Readiness
from moderator.setup.service import SetupService
from moderator.ui.setup.readiness_indicator import SIGNATURE_HINT, ReadinessIndicator
from moderator.ui.setup.setup_wizard import BUILTIN_TUNNEL, SetupResult, SetupWizard
from moderator.ui.shell.settings_dialog import Secrets
from moderator.ui.shell.status_bar import ConsoleStatusBar

log = logging.getLogger(__name__)


class SetupHost(Protocol):
    """What the controller needs of the console."""

    @property
    def settings(self) -> Settings: ...

    @property
    def credentials(self) -> Credentials: ...

    @property
    def public_base(self) -> str | None:
        """The public URL in effect (None: only the local one)."""

    @property
    def public_url_locked(self) -> bool:
        """True when --public-url set it: the built-in tunnel then does not replace it."""

    def apply_setup(self, result: SetupResult) -> None: ...

    def use_public_url(self, url: str) -> None: ...

    def notify(self, level: str, text: str) -> None: ...


class SetupController(QObject):
    """Owns the assistant window, background checks and the service's tunnel for one console."""

    def __init__(
        self, service: SetupService, host: SetupHost, window: QMainWindow, parent: QObject | None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.host = host
        self.window = window
        self.indicator = ReadinessIndicator()
        self.indicator.setup_requested.connect(self.open_assistant)
        status_bar = window.statusBar()
        status_bar.addPermanentWidget(self.indicator)
        if isinstance(status_bar, ConsoleStatusBar):  # one Twilio indication: the mark
            status_bar.hand_twilio_to(self.indicator.set_live_twilio)
        self.action = QAction("Set&up assistant…", window)
        self.action.setToolTip("Credentials, public URL and phone number, checked step by step")
        self.action.triggered.connect(lambda _checked=False: self.open_assistant())
        _add_beside_settings(window, self.action)
        self.wizard: SetupWizard | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # ---- start and stop --------------------------------------------------------------------

    def start(self, *, open_assistant: bool) -> None:
        """Start the built-in tunnel if the host chose one, check readiness, maybe open the
        assistant (first start without credentials)."""
        settings = self.host.settings
        if settings.tunnel == BUILTIN_TUNNEL and not self.host.public_url_locked:
            self._spawn(self._start_builtin_tunnel())
        else:
            self.recheck()
        if open_assistant:
            self.open_assistant()

    async def stop(self) -> None:
        if self.wizard is not None:
            self.wizard.reject()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.service.stop_tunnel()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_event_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("setup task failed", exc_info=task.exception())

    # ---- readiness -------------------------------------------------------------------------

    def recheck(self) -> None:
        self._spawn(self._recheck())

    async def _recheck(self) -> None:
        readiness = await self.service.readiness(
            self.host.credentials, self.host.public_base, self.host.settings.hold_music_url
        )
        self.indicator.set_readiness(readiness)
        log.info(
            "readiness: %s",
            ", ".join(
                f"{name} {check.mark} {check.detail}" for name, check in readiness.all_lines()
            ),
        )

    def on_signature_mismatch(self, what: str, url: str) -> None:
        """From the server's signature check: Twilio signed `url`, another form of the public
        URL (`what` says how it differs). Only a signature made with the auth token gets
        here, so `url` is Twilio's, never a stranger's."""
        shown = self.indicator.show_signature_hint(what, url)
        if shown:
            self.host.notify("error", f"{SIGNATURE_HINT} Twilio signed {url} ({what})")

    def on_callback_accepted(self) -> None:
        self.indicator.clear_signature_hint()

    # ---- the built-in tunnel ---------------------------------------------------------------

    async def _start_builtin_tunnel(self) -> None:
        token = credentials.read_secret(AUTHTOKEN_ENTRY) or ""
        try:
            url = await self.service.start_tunnel(token)
        except SetupError as exc:
            self.host.notify("error", f"Built-in tunnel: {exc}")
            self.indicator.set_readiness(Readiness(tunnel=Check(False, str(exc)), checked=True))
            return
        await self._take_tunnel_url(url)

    async def _take_tunnel_url(self, url: str) -> None:
        """The tunnel's URL becomes the public URL; numbers connected earlier follow it."""
        if url != self.host.public_base:
            self.host.use_public_url(url)
            if self.host.credentials.can_call_rest:
                try:
                    await self.service.repoint(self.host.credentials, url)
                except SetupError as exc:
                    self.host.notify("error", f"Could not re-point the number to {url}: {exc}")
        await self._recheck()

    # ---- the assistant ---------------------------------------------------------------------

    def open_assistant(self) -> None:
        if self.wizard is not None:
            self.wizard.raise_()
            self.wizard.activateWindow()
            return
        secrets = Secrets(
            credentials.read_secret(credentials.AUTH_TOKEN_ENTRY) or "",
            credentials.read_secret(credentials.API_SECRET_ENTRY) or "",
        )
        wizard = SetupWizard(
            self.service,
            self.host.settings,
            secrets,
            ngrok_authtoken=credentials.read_secret(AUTHTOKEN_ENTRY) or "",
            parent=self.window,
        )
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.completed.connect(self._completed)
        wizard.rejected.connect(self._cancelled)
        wizard.finished.connect(lambda _result: setattr(self, "wizard", None))
        self.wizard = wizard
        wizard.open()  # window-modal without a nested event loop

    def _completed(self, result: SetupResult) -> None:
        self.host.apply_setup(result)
        if result.settings.tunnel == BUILTIN_TUNNEL and result.ngrok_authtoken:
            try:
                credentials.write_secret(AUTHTOKEN_ENTRY, result.ngrok_authtoken)
            except credentials.SecretStoreError as exc:
                self.host.notify("error", str(exc))
        if result.settings.tunnel != BUILTIN_TUNNEL:
            self._spawn(self.service.stop_tunnel())
        self.recheck()

    def _cancelled(self) -> None:
        """A tunnel the assistant started stays only if the console runs its own."""
        if self.host.settings.tunnel != BUILTIN_TUNNEL:
            self._spawn(self.service.stop_tunnel())
        elif self.service.tunnel.url and not self.host.public_url_locked:
            self._spawn(self._take_tunnel_url(self.service.tunnel.url))


def _add_beside_settings(window: QMainWindow, action: QAction) -> None:
    """Put `action` right after Settings… in the menu bar menu that holds it (File)."""
    for menu in window.menuBar().findChildren(QMenu):
        entries = menu.actions()
        settings = [a for a in entries if a.text().replace("&", "").startswith("Settings")]
        if settings:
            index = entries.index(settings[0])
            before = entries[index + 1] if index + 1 < len(entries) else None
            menu.insertAction(before, action)  # type: ignore[arg-type]
            return
    window.menuBar().addAction(action)
