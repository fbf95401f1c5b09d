"""The setup assistant: credentials, public URL, phone number, then a check of the whole chain.

A QWizard over SetupService (moderator/setup/): the pages only collect input, start the
service's async steps and show their one-line results. Nothing is stored here: on Finish the
wizard emits `completed(SetupResult)` and the app stores it through its one settings path
(settings file, keyring).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget, QWizard

from moderator.credentials import Credentials
from moderator.settings import Settings
from moderator.setup.account import AccountInfo
from moderator.setup.errors import SetupError
from moderator.setup.numbers import PhoneNumber
from moderator.setup.service import SetupService
from moderator.ui.setup.setup_pages import CheckPage, CredentialsPage, NumberPage, PublicUrlPage
from moderator.ui.shell.settings_dialog import Secrets

log = logging.getLogger(__name__)
T = TypeVar("T")

BUILTIN_TUNNEL = "ngrok"  # Settings.tunnel when the console starts its own ngrok tunnel


@dataclass(frozen=True)
class SetupResult:
    """What the host set up: settings (SID, API key, public URL, tunnel), secrets for the keyring.

    A secret whose field the environment controls is not editable and must not be written.
    """

    settings: Settings
    secrets: Secrets
    ngrok_authtoken: str = dataclasses.field(default="", repr=False)
    token_editable: bool = True
    secret_editable: bool = True


class SetupWizard(QWizard):
    """Four pages; each async step runs on the console's loop while the wizard stays usable."""

    completed = Signal(object)  # SetupResult

    def __init__(
        self,
        service: SetupService,
        settings: Settings,
        secrets: Secrets,
        *,
        ngrok_authtoken: str = "",
        env: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set up a real call")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setMinimumSize(720, 520)
        self.service = service
        self.settings = settings
        self.secrets = secrets
        self.ngrok_authtoken = ngrok_authtoken
        # What the pages found, in order: working credentials, the public URL that reaches
        # this console (and how it was made), the connected number (None: own TwiML).
        self.credentials: Credentials | None = None
        self.account: AccountInfo | None = None
        self.public_url: str | None = None
        self.tunnel = ""
        self.number: PhoneNumber | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.credentials_page = CredentialsPage(self, env)
        self.public_url_page = PublicUrlPage(self)
        self.number_page = NumberPage(self)
        self.check_page = CheckPage(self)
        for page in (self.credentials_page, self.public_url_page, self.number_page):
            self.addPage(page)
        self.addPage(self.check_page)
        self.accepted.connect(self._emit_result)

    @property
    def busy(self) -> bool:
        return any(not task.done() for task in self._tasks)

    def run_step(
        self,
        step: Coroutine[Any, Any, T],
        done: Callable[[T], None],
        failed: Callable[[str], None],
    ) -> None:
        """Run one async setup step; `done(result)` or `failed(one-line reason)` on the loop."""

        async def guarded() -> None:
            try:
                result = await step
            except SetupError as exc:
                failed(str(exc))
                return
            except Exception as exc:  # a bug, not the host's world: log it, say so briefly
                log.exception("setup step failed")
                failed(f"unexpected error ({type(exc).__name__}); see the log")
                return
            done(result)

        task = asyncio.get_event_loop().create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def result_value(self) -> SetupResult:
        """The settings and secrets as the pages left them."""
        page = self.credentials_page
        creds = page.entered()
        settings = dataclasses.replace(
            self.settings,
            account_sid=creds.account_sid or "",
            api_key=creds.api_key or "",
            public_url=self.public_url or self.settings.public_url,
            tunnel=self.tunnel if self.public_url else self.settings.tunnel,
        )
        token_editable, secret_editable = page.secrets_editable()
        return SetupResult(
            settings,
            Secrets(creds.auth_token or "", creds.api_secret or ""),
            ngrok_authtoken=self.public_url_page.authtoken(),
            token_editable=token_editable,
            secret_editable=secret_editable,
        )

    def _emit_result(self) -> None:
        self.completed.emit(self.result_value())

    def done(self, result: int) -> None:
        for task in list(self._tasks):
            task.cancel()
        super().done(result)
